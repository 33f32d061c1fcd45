"""Staff accounts: read one, delete one that never acted, keep (deactivate) one with a history."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AdminAccount, AuditLog
from app.models.enums import AdminRole
from tests.factories import create_admin, login

URL = "/api/v1/admin/accounts"


async def test_read_and_delete_an_unused_account(client: AsyncClient, session: AsyncSession) -> None:
    owner = await create_admin(session, AdminRole.owner)
    headers = {"Authorization": f"Bearer {(await login(client, owner))['access_token']}"}
    spare = await create_admin(session, AdminRole.support, username="spare")
    spare_id = spare.id
    assert (await client.get(f"{URL}/{spare_id}", headers=headers)).json()["username"] == "spare"
    assert (await client.delete(f"{URL}/{spare_id}", headers=headers)).status_code == 204
    assert await session.get(AdminAccount, spare_id) is None
    assert (await client.get(f"{URL}/{spare_id}", headers=headers)).status_code == 404
    action = await session.scalar(select(AuditLog.action).where(AuditLog.entity_id == str(spare_id)))
    assert action == "admin_account.delete"


async def test_an_account_with_history_is_kept(client: AsyncClient, session: AsyncSession) -> None:
    owner = await create_admin(session, AdminRole.owner)
    headers = {"Authorization": f"Bearer {(await login(client, owner))['access_token']}"}
    worker = await create_admin(session, AdminRole.admin)
    worker_id = worker.id
    worker_headers = {"Authorization": f"Bearer {(await login(client, worker))['access_token']}"}
    made = await client.post(
        "/api/v1/admin/locations", json={"name": "Spain", "country_code": "ES"}, headers=worker_headers
    )
    assert made.status_code == 201
    resp = await client.delete(f"{URL}/{worker_id}", headers=headers)
    assert resp.status_code == 409 and "deactivate" in resp.json()["detail"]
    assert (await client.get(f"{URL}/{worker_id}", headers=headers)).status_code == 200


async def test_an_owner_cannot_delete_themselves(client: AsyncClient, session: AsyncSession) -> None:
    owner = await create_admin(session, AdminRole.owner)
    owner_id = owner.id
    headers = {"Authorization": f"Bearer {(await login(client, owner))['access_token']}"}
    resp = await client.delete(f"{URL}/{owner_id}", headers=headers)
    assert resp.status_code == 409
    missing = "00000000-0000-0000-0000-000000000000"
    assert (await client.delete(f"{URL}/{missing}", headers=headers)).status_code == 404
