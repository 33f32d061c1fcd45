"""Staff balance adjustments (audited, reason required) and the ledger views."""

from __future__ import annotations

import uuid
from decimal import Decimal

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin_auth.api_keys import generate_key
from app.config import Settings
from app.models import ApiKey, AuditLog, BalanceLedger
from app.models.enums import AdminRole, LedgerKind
from tests.factories import admin_headers, create_user
from tests.money import balance_of, fund, user_headers


class TestAdjust:
    async def test_credit_and_debit_are_ledger_rows_with_the_admin_and_the_audit(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        user = await create_user(session)
        url = f"/api/v1/admin/users/{user.id}/balance"
        resp = await client.post(
            url, json={"amount": "100.50", "reason": "Compensation for downtime"}, headers=headers
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["balance"] == "100.50" and resp.json()["entry"]["kind"] == "admin_adjustment"
        resp = await client.post(url, json={"amount": -0.5, "reason": "Rounding fix"}, headers=headers)
        assert resp.json()["balance"] == "100.00"
        rows = (await session.scalars(select(BalanceLedger).where(BalanceLedger.user_id == user.id))).all()
        assert [r.amount for r in rows] == [Decimal("100.50"), Decimal("-0.50")]
        assert all(r.admin_id is not None and r.comment for r in rows)
        audit = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "user.balance_adjust"))
        ).all()
        assert len(audit) == 2 and audit[0].after == {
            "balance": "100.50",
            "amount": "100.50",
            "reason": "Compensation for downtime",
        }
        assert audit[0].before == {"balance": "0.00"}

    async def test_refusals(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        user = await fund(session, await create_user(session), "10")
        url = f"/api/v1/admin/users/{user.id}/balance"
        assert (await client.post(url, json={"amount": "5"}, headers=headers)).status_code == 422
        assert (
            await client.post(url, json={"amount": "5", "reason": "  "}, headers=headers)
        ).status_code == 422
        assert (
            await client.post(url, json={"amount": "0", "reason": "zero"}, headers=headers)
        ).status_code == 422
        assert (
            await client.post(url, json={"amount": "1.001", "reason": "kopecks"}, headers=headers)
        ).status_code == 422
        over = await client.post(url, json={"amount": "-10.01", "reason": "too much"}, headers=headers)
        assert over.status_code == 402 and over.json()["error"] == "InsufficientBalance"
        missing = await client.post(
            f"/api/v1/admin/users/{uuid.uuid4()}/balance",
            json={"amount": "5", "reason": "nobody"},
            headers=headers,
        )
        assert missing.status_code == 404
        support = await admin_headers(client, session, AdminRole.support)
        assert (
            await client.post(url, json={"amount": "5", "reason": "support"}, headers=support)
        ).status_code == 403

    async def test_api_key_with_users_write(self, client: AsyncClient, session: AsyncSession) -> None:
        plaintext, prefix, key_hash = generate_key()
        session.add(ApiKey(name="crm", key_prefix=prefix, key_hash=key_hash, scopes=["users:write"]))
        user = await create_user(session)
        await session.flush()
        resp = await client.post(
            f"/api/v1/admin/users/{user.id}/balance",
            json={"amount": "25", "reason": "CRM bonus"},
            headers={"X-API-Key": plaintext},
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["entry"]["admin_id"] is None
        assert resp.json()["entry"]["reference"] == "admin:api_key:crm"


class TestLedgerViews:
    async def test_filters_totals_and_per_user(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        alice = await fund(session, await create_user(session), "100")
        bob = await fund(session, await create_user(session), "40")
        from app.billing.ledger import change_balance

        await change_balance(session, alice.id, Decimal("-30"), LedgerKind.purchase)
        page = (await client.get("/api/v1/admin/ledger", headers=headers)).json()
        assert page["total"] == 3
        assert page["totals"] == {"count": 3, "credit": "140.00", "debit": "-30.00", "net": "110.00"}
        only = (
            await client.get(f"/api/v1/admin/ledger?user_id={alice.id}&kind=purchase", headers=headers)
        ).json()
        assert only["total"] == 1 and only["items"][0]["amount"] == "-30.00"
        per_user = (await client.get(f"/api/v1/admin/users/{bob.id}/ledger", headers=headers)).json()
        assert per_user["total"] == 1 and per_user["totals"]["net"] == "40.00"
        future = (
            await client.get("/api/v1/admin/ledger?date_from=2999-01-01T00:00:00Z", headers=headers)
        ).json()
        assert future["total"] == 0 and future["totals"]["net"] == "0"
        assert (
            await client.get(f"/api/v1/admin/users/{uuid.uuid4()}/ledger", headers=headers)
        ).status_code == 404
        assert (await client.get("/api/v1/admin/ledger?sort=-amount", headers=headers)).json()["items"][0][
            "amount"
        ] == "100.00"
        assert (await client.get("/api/v1/admin/ledger?sort=nope", headers=headers)).status_code == 400


class TestCustomerHistory:
    async def test_own_history_newest_first(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await fund(session, await create_user(session), "100")
        other = await fund(session, await create_user(session), "5")
        from app.billing.ledger import change_balance

        await change_balance(session, user.id, Decimal("-49"), LedgerKind.purchase, comment="1 month")
        resp = await client.get(
            "/api/v1/users/me/balance/history?size=1", headers=user_headers(settings, user)
        )
        body = resp.json()
        assert body["total"] == 2 and body["pages"] == 2
        assert body["items"][0]["amount"] == "-49.00" and body["items"][0]["balance_after"] == "51.00"
        assert "admin_id" not in body["items"][0]
        assert await balance_of(session, other.id) == Decimal("5.00")
