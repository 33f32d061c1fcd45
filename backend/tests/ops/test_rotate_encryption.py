"""`python -m app.cli rotate-encryption`: every encrypted column ends up under the current SECRET_KEY."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import unit_of_work
from app.kit.crypto import configure_encryption, decrypt
from app.models import AuditLog, Server
from app.ops.encryption import UndecryptableValue, encrypted_columns, rotate_encryption
from tests.conftest import TEST_SECRETS
from tests.factories import create_server
from tests.ops.helpers import cli_env, run_cli

OLD_KEY = "old-encryption-key-0123456789abcdef0123456789"
NEW_KEY = "new-encryption-key-0123456789abcdef0123456789"
STRANGER_KEY = "someone-elses-key-0123456789abcdef0123456789"


@pytest.fixture
def keys() -> Iterator[None]:
    """Tests switch the process-wide keys; the suite's key is put back afterwards."""
    yield
    configure_encryption(TEST_SECRETS["secret_key"])


async def raw_credentials(sm: async_sessionmaker[AsyncSession]) -> dict[str, tuple[Any, ...]]:
    """The stored ciphertexts and updated_at of every server, by name."""
    cols = [type_coerce(getattr(Server, c), Text) for c in ("username", "password", "api_token")]
    async with sm() as session:
        rows = await session.execute(select(Server.name, *cols, Server.updated_at))
        return {r[0]: tuple(r[1:]) for r in rows}


async def plaintexts(sm: async_sessionmaker[AsyncSession]) -> dict[str, tuple[str | None, ...]]:
    """The decrypted credentials of every server, by name."""
    async with sm() as session:
        servers = (await session.scalars(select(Server))).all()
        return {s.name: (s.username, s.password, s.api_token) for s in servers}


async def make_servers(sm: async_sessionmaker[AsyncSession], key: str, *names: str) -> None:
    """Servers whose credentials are written under `key` (one without an API token)."""
    configure_encryption(key)
    async with unit_of_work(sm) as session:
        for i, name in enumerate(names):
            await create_server(
                session,
                name=name,
                username=f"admin-{name}",
                password=f"пароль-{name}",
                api_token=f"token-{name}" if i % 2 == 0 else None,
            )


class TestRotateEncryption:
    def test_finds_every_encrypted_column_of_the_model(self) -> None:
        found = {(t.name, c.name) for t, c in encrypted_columns()}
        assert {("servers", "username"), ("servers", "password"), ("servers", "api_token")} <= found

    async def test_old_values_move_to_the_new_key_and_keep_their_plaintext(
        self, committed_sessionmaker: async_sessionmaker[AsyncSession], keys: None
    ) -> None:
        sm = committed_sessionmaker
        await make_servers(sm, OLD_KEY, "nl-1", "de-1", "us-1")
        expected = await plaintexts(sm)
        before = await raw_credentials(sm)

        configure_encryption(NEW_KEY, OLD_KEY)
        async with unit_of_work(sm) as session:
            reports = await rotate_encryption(session, batch_size=2)
        by_column = {(r.table, r.column): r for r in reports}
        assert by_column["servers", "username"].rotated == 3
        assert by_column["servers", "password"].rotated == 3
        assert by_column["servers", "api_token"].rotated == 2, "NULLs stay NULL"

        # The old key is no longer needed: the new one alone opens everything.
        configure_encryption(NEW_KEY)
        assert await plaintexts(sm) == expected
        after = await raw_credentials(sm)
        for name, (user, password, token, updated_at) in after.items():
            old_user, old_password, old_token, old_updated_at = before[name]
            assert user != old_user and password != old_password
            assert (token is None) == (old_token is None)
            assert decrypt(password).startswith("пароль-")
            assert updated_at == old_updated_at, "re-encryption is not an edit of the server"

        async with sm() as session:
            audit = (
                await session.scalars(select(AuditLog).where(AuditLog.action == "encryption.rotate"))
            ).all()
        assert len(audit) == 1
        assert audit[0].actor == "system"
        assert audit[0].after == {
            "servers.username": {"rotated": 3, "current": 0},
            "servers.password": {"rotated": 3, "current": 0},
            "servers.api_token": {"rotated": 2, "current": 0},
        }

    async def test_a_second_run_finds_nothing_to_do(
        self, committed_sessionmaker: async_sessionmaker[AsyncSession], keys: None
    ) -> None:
        sm = committed_sessionmaker
        await make_servers(sm, OLD_KEY, "nl-1", "de-1")
        configure_encryption(NEW_KEY, OLD_KEY)
        async with unit_of_work(sm) as session:
            await rotate_encryption(session)
        rotated = await raw_credentials(sm)
        async with unit_of_work(sm) as session:
            reports = await rotate_encryption(session)
        assert all(r.rotated == 0 for r in reports)
        assert sum(r.already_current for r in reports) == 5
        assert await raw_credentials(sm) == rotated

    async def test_a_value_under_an_unknown_key_aborts_without_changing_anything(
        self, committed_sessionmaker: async_sessionmaker[AsyncSession], keys: None
    ) -> None:
        sm = committed_sessionmaker
        await make_servers(sm, OLD_KEY, "a-1", "a-2")
        await make_servers(sm, STRANGER_KEY, "z-9")
        before = await raw_credentials(sm)

        configure_encryption(NEW_KEY, OLD_KEY)
        with pytest.raises(UndecryptableValue, match=r"servers\.username of row .* SECRET_KEY_PREVIOUS"):
            async with unit_of_work(sm) as session:
                await rotate_encryption(session)
        assert await raw_credentials(sm) == before

    async def test_the_cli_command_uses_secret_key_previous(
        self, committed_sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, keys: None
    ) -> None:
        sm = committed_sessionmaker
        await make_servers(sm, OLD_KEY, "nl-1")
        env = cli_env(settings.database_url, SECRET_KEY=NEW_KEY, SECRET_KEY_PREVIOUS=OLD_KEY)

        code, out, err = await run_cli("rotate-encryption", env=env)
        assert code == 0, err
        assert "servers.password: 1 re-encrypted, 0 already under SECRET_KEY" in out
        configure_encryption(NEW_KEY)
        assert (await plaintexts(sm))["nl-1"][1] == "пароль-nl-1"

        # Without the old key the command explains what to do and exits non-zero.
        await make_servers(sm, OLD_KEY, "de-1")
        code, _, err = await run_cli("rotate-encryption", env={**env, "SECRET_KEY_PREVIOUS": ""})
        assert code != 0
        assert "set SECRET_KEY_PREVIOUS" in err
