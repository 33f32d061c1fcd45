"""JWTs: admin access + refresh tokens and short-lived customer tokens, algorithm pinned."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwt

from app.config import Settings
from app.errors import NotAuthenticated


class TokenType(enum.StrEnum):
    """What a token is good for; checked on every decode."""

    access = "access"
    refresh = "refresh"
    user = "user"


@dataclass(frozen=True)
class TokenClaims:
    """The claims we rely on after verification."""

    subject: uuid.UUID
    type: TokenType
    jti: str
    family: str | None
    expires_at: datetime
    extra: dict[str, Any]


def issue_token(
    settings: Settings,
    subject: uuid.UUID,
    token_type: TokenType,
    ttl_seconds: int,
    *,
    family: str | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[str, TokenClaims]:
    """Sign a token and return it with its claims."""
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=ttl_seconds)
    jti = uuid.uuid4().hex
    payload: dict[str, Any] = {
        "sub": str(subject),
        "typ": token_type.value,
        "jti": jti,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        **(extra or {}),
    }
    if family:
        payload["fam"] = family
    token = jwt.encode(payload, settings.jwt_secret_key.get_secret_value(), algorithm=settings.jwt_algorithm)
    claims = TokenClaims(
        subject=subject,
        type=token_type,
        jti=jti,
        family=family,
        expires_at=expires.replace(microsecond=0),
        extra=extra or {},
    )
    return token, claims


def decode_token(settings: Settings, token: str, expected: TokenType) -> TokenClaims:
    """Verify signature, expiry and type; any failure is a 401 without detail on what failed."""
    try:
        # Only the configured algorithm is accepted: "none" and algorithm swaps fail here.
        payload = jwt.decode(
            token,
            settings.jwt_secret_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            options={"require_exp": True, "require_sub": True, "require_jti": True},
        )
    except JWTError as exc:
        expired = "expired" in str(exc).lower()
        raise NotAuthenticated("Token expired" if expired else "Invalid token") from None
    if payload.get("typ") != expected.value:
        raise NotAuthenticated("Wrong token type")
    try:
        subject = uuid.UUID(str(payload["sub"]))
    except (KeyError, ValueError):
        raise NotAuthenticated("Invalid token") from None
    extra = {k: v for k, v in payload.items() if k not in {"sub", "typ", "jti", "iat", "exp", "fam"}}
    return TokenClaims(
        subject=subject,
        type=expected,
        jti=str(payload["jti"]),
        family=payload.get("fam"),
        expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        extra=extra,
    )
