"""Admin-side authentication and authorisation dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.admin_auth import api_keys
from app.admin_auth.principal import Principal
from app.auth import revocation
from app.auth.tokens import TokenType, decode_token
from app.deps import RedisDep, SessionDep, SettingsDep
from app.errors import NotAuthenticated, PermissionDenied
from app.models import AdminAccount
from app.models.enums import AdminRole

admin_bearer = HTTPBearer(
    scheme_name="AdminJWT", description="Staff access token from POST /api/v1/auth/login", auto_error=False
)
api_key_header = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ApiKey",
    description="A scoped third-party key created by an owner",
    auto_error=False,
)


async def get_principal(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    redis: RedisDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_bearer)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """Authenticate a staff token or an API key; customers' tokens are refused here."""
    if bearer is not None:
        claims = decode_token(settings, bearer.credentials, TokenType.access)
        if await revocation.is_revoked(redis, claims.jti, claims.family):
            raise NotAuthenticated("Token revoked")
        admin = await session.get(AdminAccount, claims.subject)
        if admin is None or not admin.is_active:
            raise NotAuthenticated("Account disabled")
        principal = Principal(
            kind="admin",
            id=admin.id,
            name=admin.username,
            role=admin.role,
            token_jti=claims.jti,
            token_family=claims.family,
        )
    elif api_key:
        key = await api_keys.authenticate(session, api_key)
        principal = Principal(kind="api_key", id=key.id, name=key.name, scopes=frozenset(key.scopes))
    else:
        raise NotAuthenticated()
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


@dataclass(frozen=True)
class RequireRole:
    """Route guard: staff need at least `role`; API keys need `scope` (routes without one refuse keys).

    Every admin route declares one in its decorator, `dependencies=[Depends(RequireRole(...))]`, so it
    runs before the route loads anything; a test walks the routes and fails on any without one.
    """

    role: AdminRole
    scope: str | None = None

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        """Allow or raise 403."""
        if principal.kind == "api_key":
            if self.scope is None or self.scope not in principal.scopes:
                raise PermissionDenied(f"This API key lacks the scope {self.scope or '(staff only)'}")
            return principal
        if not principal.has_role(self.role):
            raise PermissionDenied(f"Requires the {self.role.value} role")
        return principal


async def get_current_admin(principal: CurrentPrincipal, session: SessionDep) -> AdminAccount:
    """The staff account behind a staff token (API keys have none)."""
    if principal.kind != "admin":
        raise PermissionDenied("Only staff accounts can do this")
    admin = await session.get(AdminAccount, principal.id)
    if admin is None:
        raise NotAuthenticated()
    return admin


CurrentAdmin = Annotated[AdminAccount, Depends(get_current_admin)]
