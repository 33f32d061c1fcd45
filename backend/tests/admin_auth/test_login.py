"""Staff login, refresh rotation, logout revocation and token forgery."""

from __future__ import annotations

import base64
import json
import time

import time_machine
from httpx import AsyncClient
from jose import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.passwords import hash_password, verify_password
from app.config import Settings
from app.models.enums import AdminRole
from tests.factories import DEFAULT_PASSWORD, create_admin, login


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class TestPasswords:
    def test_hash_and_verify(self) -> None:
        h = hash_password("s3cret-pass")
        assert h.startswith("$argon2")
        assert verify_password("s3cret-pass", h)
        assert not verify_password("wrong", h)
        assert not verify_password("anything", None)
        assert not verify_password("anything", "not-a-hash")


class TestLogin:
    async def test_login_returns_pair_and_me_works(self, client: AsyncClient, session: AsyncSession) -> None:
        admin = await create_admin(session, AdminRole.admin)
        tokens = await login(client, admin)
        assert tokens["token_type"] == "bearer"
        assert tokens["access_token"] != tokens["refresh_token"]
        resp = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert resp.status_code == 200
        assert resp.json()["username"] == admin.username
        assert resp.json()["role"] == "admin"
        assert resp.json()["shop_name"] == "VPN Shop"
        assert "password_hash" not in resp.text

    async def test_username_is_case_insensitive(self, client: AsyncClient, session: AsyncSession) -> None:
        admin = await create_admin(session, username="Boss")
        resp = await client.post(
            "/api/v1/auth/login", json={"username": "boss", "password": DEFAULT_PASSWORD}
        )
        assert resp.status_code == 200, resp.text
        assert admin.last_login_at is not None

    async def test_wrong_password_and_unknown_user_look_the_same(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        admin = await create_admin(session)
        wrong = await client.post("/api/v1/auth/login", json={"username": admin.username, "password": "nope"})
        unknown = await client.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert (
            wrong.json()
            == unknown.json()
            == {"error": "NotAuthenticated", "detail": "Invalid username or password"}
        )

    async def test_disabled_account_cannot_log_in(self, client: AsyncClient, session: AsyncSession) -> None:
        admin = await create_admin(session, is_active=False)
        resp = await client.post(
            "/api/v1/auth/login", json={"username": admin.username, "password": DEFAULT_PASSWORD}
        )
        assert resp.status_code == 401

    async def test_malformed_body_is_422(self, client: AsyncClient) -> None:
        resp = await client.post("/api/v1/auth/login", json={"username": ""})
        assert resp.status_code == 422
        body = resp.json()
        assert body["error"] == "ValidationError"
        assert isinstance(body["detail"], list)
        assert {tuple(e["loc"]) for e in body["detail"]} >= {("body", "password"), ("body", "username")}


class TestRefresh:
    async def test_rotation_issues_new_pair_and_old_refresh_dies(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        admin = await create_admin(session)
        first = await login(client, admin)
        resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert resp.status_code == 200
        second = resp.json()
        assert second["refresh_token"] != first["refresh_token"]
        me = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"}
        )
        assert me.status_code == 200

        # Replaying the used refresh token fails and revokes the whole session (theft detection).
        replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert replay.status_code == 401
        after = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
        assert after.status_code == 401
        me = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"}
        )
        assert me.status_code == 401

    async def test_access_token_is_not_a_refresh_token(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        admin = await create_admin(session)
        tokens = await login(client, admin)
        resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]})
        assert resp.status_code == 401
        resp = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
        )
        assert resp.status_code == 401


class TestLogout:
    async def test_logout_revokes_access_and_refresh(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        admin = await create_admin(session)
        tokens = await login(client, admin)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        resp = await client.post(
            "/api/v1/auth/logout", headers=headers, json={"refresh_token": tokens["refresh_token"]}
        )
        assert resp.status_code == 204
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
        resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert resp.status_code == 401

    async def test_logout_needs_a_token(self, client: AsyncClient) -> None:
        assert (await client.post("/api/v1/auth/logout")).status_code == 401


class TestForgedTokens:
    async def test_expired_token(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        admin = await create_admin(session)
        with time_machine.travel(time.time() - settings.access_token_ttl_seconds - 60, tick=False):
            tokens = await login(client, admin)
        resp = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert resp.status_code == 401
        assert resp.json()["detail"] == "Token expired"
        assert resp.headers["www-authenticate"] == "Bearer"

    async def test_tampered_token(self, client: AsyncClient, session: AsyncSession) -> None:
        admin = await create_admin(session, AdminRole.support)
        token = (await login(client, admin))["access_token"]
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["role"] = "owner"
        forged = f"{header}.{_b64(claims)}.{signature}"
        resp = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
        assert resp.status_code == 401

    async def test_alg_none_is_refused(self, client: AsyncClient, session: AsyncSession) -> None:
        admin = await create_admin(session)
        token = (await login(client, admin))["access_token"]
        claims = jwt.get_unverified_claims(token)
        for alg in ("none", "None", "NONE"):
            forged = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(claims)}."
            resp = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
            assert resp.status_code == 401, alg

    async def test_token_signed_with_other_key_or_algorithm(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        admin = await create_admin(session)
        claims = jwt.get_unverified_claims((await login(client, admin))["access_token"])
        wrong_key = jwt.encode(claims, "another-secret", algorithm="HS256")
        wrong_alg = jwt.encode(claims, settings.jwt_secret_key.get_secret_value(), algorithm="HS512")
        for token in (wrong_key, wrong_alg, "garbage", "a.b.c"):
            resp = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert resp.status_code == 401
