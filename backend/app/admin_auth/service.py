"""Staff login, token rotation, logout and the first owner's bootstrap."""

from __future__ import annotations

import uuid
from datetime import timedelta

import structlog
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin_auth.schemas import TokenPair
from app.auth import revocation
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.tokens import TokenType, decode_token, issue_token
from app.config import Settings
from app.errors import NotAuthenticated
from app.kit.time import utcnow
from app.models import AdminAccount
from app.models.enums import AdminRole

log = structlog.get_logger(__name__)


async def get_by_username(session: AsyncSession, username: str) -> AdminAccount | None:
    """Case-insensitive lookup of a staff account."""
    return await session.scalar(
        select(AdminAccount).where(func.lower(AdminAccount.username) == username.lower())
    )


async def authenticate(session: AsyncSession, username: str, password: str) -> AdminAccount:
    """Check credentials; the same 401 for an unknown user, a wrong password or a disabled account."""
    admin = await get_by_username(session, username)
    valid = verify_password(password, admin.password_hash if admin else None)
    if admin is None or not valid or not admin.is_active:
        raise NotAuthenticated("Invalid username or password")
    if needs_rehash(admin.password_hash):
        admin.password_hash = hash_password(password)
    admin.last_login_at = utcnow()
    return admin


async def issue_pair(
    settings: Settings, redis: Redis, admin: AdminAccount, family: str | None = None
) -> TokenPair:
    """A new access + refresh pair of one login session (family)."""
    family = family or uuid.uuid4().hex
    access, _ = issue_token(
        settings,
        admin.id,
        TokenType.access,
        settings.access_token_ttl_seconds,
        family=family,
        extra={"role": admin.role.value},
    )
    refresh, refresh_claims = issue_token(
        settings, admin.id, TokenType.refresh, settings.refresh_token_ttl_seconds, family=family
    )
    await revocation.remember_refresh(redis, refresh_claims.jti, str(admin.id), refresh_claims.expires_at)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=settings.access_token_ttl_seconds)


async def rotate(settings: Settings, redis: Redis, session: AsyncSession, refresh_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair; a replayed token revokes its whole session."""
    claims = decode_token(settings, refresh_token, TokenType.refresh)
    if claims.family and await revocation.is_revoked(redis, claims.jti, claims.family):
        raise NotAuthenticated("Session revoked")
    if not await revocation.consume_refresh(redis, claims.jti):
        if claims.family:
            await revocation.revoke_family(redis, claims.family, claims.expires_at)
        log.warning("refresh_token_replayed", admin_id=str(claims.subject))
        raise NotAuthenticated("Refresh token already used")
    admin = await session.get(AdminAccount, claims.subject)
    if admin is None or not admin.is_active:
        raise NotAuthenticated("Account disabled")
    return await issue_pair(settings, redis, admin, family=claims.family)


async def logout(
    settings: Settings, redis: Redis, access_jti: str, family: str | None, refresh_token: str | None
) -> None:
    """Revoke the session: the access token now, and the whole family (refresh tokens included)."""
    horizon = utcnow() + timedelta(seconds=settings.refresh_token_ttl_seconds)
    await revocation.revoke_jti(redis, access_jti, horizon)
    if family:
        await revocation.revoke_family(redis, family, horizon)
    if refresh_token:
        try:
            claims = decode_token(settings, refresh_token, TokenType.refresh)
        except NotAuthenticated:
            return
        await revocation.consume_refresh(redis, claims.jti)


async def bootstrap_owner(session: AsyncSession, settings: Settings) -> AdminAccount | None:
    """Create the first owner from ADMIN_USERNAME / ADMIN_PASSWORD when no staff account exists.

    Never overwrites: once any account exists, the variables are ignored (change passwords in the panel).
    """
    if not settings.admin_username or settings.admin_password is None:
        return None
    exists = await session.scalar(select(func.count()).select_from(AdminAccount))
    if exists:
        return None
    owner = AdminAccount(
        username=settings.admin_username,
        password_hash=hash_password(settings.admin_password.get_secret_value()),
        role=AdminRole.owner,
        is_active=True,
    )
    session.add(owner)
    await session.flush()
    log.info("admin_bootstrapped", username=owner.username)
    return owner
