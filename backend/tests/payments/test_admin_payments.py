"""Staff payment views (filters, totals, CSV), refunds, the webhook inbox view and the rate refresh."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.billing import settings_keys as keys
from app.config import Settings
from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import AuditLog, BalanceLedger, Payment, PaymentEvent
from app.models.enums import AdminRole, LedgerKind, PaymentMethod, PaymentPurpose, PaymentStatus
from app.shop_settings.registry import get_value, set_value
from app.worker.enqueue import get_queue
from tests.factories import admin_headers, create_admin, create_user, login
from tests.money import balance_of, fund, user_headers
from tests.payments.conftest import Shop
from tests.payments.test_stars import checkout, paid
from tests.payments.test_topups import new_customer, topup
from tests.purchases.test_purchases import URL as PURCHASE
from tests.purchases.test_purchases import catalog, order


def payment(
    user_id: uuid.UUID, amount: str, method: PaymentMethod, status: PaymentStatus, **kw: Any
) -> Payment:
    return Payment(user_id=user_id, amount=Decimal(amount), method=method, status=status, **kw)


class TestList:
    async def test_filters_and_totals(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        alice = await create_user(session)
        bob = await create_user(session)
        session.add_all(
            [
                payment(
                    alice.id, "100", PaymentMethod.cryptopay, PaymentStatus.paid, provider_payment_id="cp-1"
                ),
                payment(alice.id, "50", PaymentMethod.severpay, PaymentStatus.pending),
                payment(bob.id, "200", PaymentMethod.severpay, PaymentStatus.paid),
                payment(
                    bob.id, "49", PaymentMethod.balance, PaymentStatus.paid, purpose=PaymentPurpose.purchase
                ),
                payment(bob.id, "75", PaymentMethod.stars, PaymentStatus.refunded),
            ]
        )
        await session.flush()
        body = (await client.get("/api/v1/admin/payments", headers=headers)).json()
        assert body["total"] == 5
        totals = body["totals"]
        assert totals["count"] == 5 and totals["amount"] == "474.00"
        assert totals["revenue"] == "300.00"  # provider payments that are paid, not refunds or balance orders
        assert totals["by_status"]["paid"] == {"count": 3, "amount": "349.00"}
        assert totals["by_method"]["severpay"] == {"count": 2, "amount": "250.00"}
        only = (
            await client.get(f"/api/v1/admin/payments?user_id={alice.id}&status=paid", headers=headers)
        ).json()
        assert only["total"] == 1 and only["items"][0]["provider_payment_id"] == "cp-1"
        assert only["totals"]["amount"] == "100.00"
        by_id = (await client.get("/api/v1/admin/payments?provider_payment_id=cp-1", headers=headers)).json()
        assert by_id["total"] == 1
        purchases = (
            await client.get("/api/v1/admin/payments?purpose=purchase&method=balance", headers=headers)
        ).json()
        assert purchases["total"] == 1
        sorted_page = (await client.get("/api/v1/admin/payments?sort=-amount&size=2", headers=headers)).json()
        assert [i["amount"] for i in sorted_page["items"]] == ["200.00", "100.00"] and sorted_page[
            "pages"
        ] == 3
        tomorrow = (utcnow() + timedelta(days=1)).isoformat()
        later = await client.get("/api/v1/admin/payments", params={"date_from": tomorrow}, headers=headers)
        assert later.json()["total"] == 0
        one = body["items"][0]
        assert (await client.get(f"/api/v1/admin/payments/{one['id']}", headers=headers)).json()["id"] == one[
            "id"
        ]
        assert (
            await client.get(f"/api/v1/admin/payments/{uuid.uuid4()}", headers=headers)
        ).status_code == 404
        assert (await client.get("/api/v1/admin/payments?status=lost", headers=headers)).status_code == 422

    async def test_payment_events_view(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.support)
        session.add(
            PaymentEvent(
                provider="cryptopay",
                event_key="rejected:x",
                body="{}",
                headers={},
                signature_valid=False,
                verdict="bad_signature",
            )
        )
        await session.flush()
        page = (
            await client.get("/api/v1/admin/payment-events?verdict=bad_signature", headers=headers)
        ).json()
        assert page["total"] == 1 and page["items"][0]["provider"] == "cryptopay"


async def test_csv_export_streams_the_filtered_payments(
    committed_client: AsyncClient, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with unit_of_work(committed_sessionmaker) as s:
        admin = await create_admin(s, AdminRole.support)
        user = await create_user(s, username="=HYPERLINK(evil)")
        s.add_all(
            [
                payment(
                    user.id, "100.50", PaymentMethod.cryptopay, PaymentStatus.paid, provider_payment_id=str(i)
                )
                for i in range(3)
            ]
            + [payment(user.id, "10", PaymentMethod.severpay, PaymentStatus.pending)]
        )
    tokens = await login(committed_client, admin)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    resp = await committed_client.get("/api/v1/admin/payments/export.csv?status=paid", headers=headers)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"].startswith('attachment; filename="payments-')
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == 3 and {r["status"] for r in rows} == {"paid"}
    assert rows[0]["amount"] == "100.50" and rows[0]["method"] == "cryptopay"
    assert rows[0]["telegram_id"] == str(user.telegram_id) and rows[0]["username"] == "'=HYPERLINK(evil)"
    anonymous = await committed_client.get("/api/v1/admin/payments/export.csv")
    assert anonymous.status_code == 401


class TestRefunds:
    async def test_a_balance_order_is_refunded_to_the_balance_once(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        user = await fund(session, await create_user(session), "100")
        location, tariff = await catalog(session)
        bought = (
            await client.post(PURCHASE, json=order(location, tariff), headers=user_headers(settings, user))
        ).json()
        url = f"/api/v1/admin/payments/{bought['payment']['id']}/refund"
        resp = await client.post(url, json={"reason": "Server was down all week"}, headers=headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert (
            body["balance_change"] == "49.00"
            and body["balance"] == "100.00"
            and body["stars_refunded"] is None
        )
        assert body["payment"]["status"] == "refunded" and body["payment"]["refunded_at"]
        refund = await session.scalar(select(BalanceLedger).where(BalanceLedger.kind == LedgerKind.refund))
        assert (
            refund is not None
            and refund.admin_id is not None
            and refund.comment == "Server was down all week"
        )
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "payment.refund"))
        assert (
            audit is not None
            and audit.after is not None
            and audit.after["refund_reason"] == "Server was down all week"
        )
        again = await client.post(url, json={"reason": "again please"}, headers=headers)
        assert again.status_code == 409 and again.json()["error"] == "PaymentNotRefundable"

    async def test_what_cannot_be_refunded(self, client: AsyncClient, session: AsyncSession) -> None:
        headers = await admin_headers(client, session, AdminRole.admin)
        user = await create_user(session)
        topped = payment(user.id, "100", PaymentMethod.cryptopay, PaymentStatus.paid)
        pending = payment(user.id, "100", PaymentMethod.cryptopay, PaymentStatus.pending)
        session.add_all([topped, pending])
        await session.flush()
        topped_id, pending_id = topped.id, pending.id
        for payment_id in (topped_id, pending_id):
            resp = await client.post(
                f"/api/v1/admin/payments/{payment_id}/refund", json={"reason": "test it"}, headers=headers
            )
            assert resp.status_code == 409, resp.text
        missing = await client.post(
            f"/api/v1/admin/payments/{uuid.uuid4()}/refund", json={"reason": "test it"}, headers=headers
        )
        assert missing.status_code == 404
        support = await admin_headers(client, session, AdminRole.support)
        resp = await client.post(
            f"/api/v1/admin/payments/{topped_id}/refund", json={"reason": "test it"}, headers=support
        )
        assert resp.status_code == 403
        short = await client.post(
            f"/api/v1/admin/payments/{topped_id}/refund", json={"reason": "x"}, headers=headers
        )
        assert short.status_code == 422


class TestStarsRefunds:
    async def _paid_stars(self, shop: Shop, amount: str = "150") -> tuple[Any, dict[str, Any]]:
        user, headers = await new_customer(shop)
        p = await topup(shop, headers, "stars", amount)
        assert (await paid(shop, checkout(user, p), charge=f"ch-{p['id']}")).status_code == 200
        return user, p

    async def _admin(self, shop: Shop) -> dict[str, str]:
        async with unit_of_work(shop.sessions) as s:
            admin = await create_admin(s, AdminRole.admin)
        tokens = await login(shop.api, admin)
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    async def test_stars_go_back_through_telegram_and_off_the_balance(self, shop: Shop) -> None:
        user, p = await self._paid_stars(shop)
        resp = await shop.api.post(
            f"/api/v1/admin/payments/{p['id']}/refund",
            json={"reason": "Customer asked"},
            headers=await self._admin(shop),
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["balance_change"] == "-150.00" and resp.json()["stars_refunded"] == 100
        assert shop.telegram.refunds == [
            {"user_id": user.telegram_id, "telegram_payment_charge_id": f"ch-{p['id']}"}
        ]
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0
        await shop.work()
        # The worker sends the earlier "payment received" and this notice concurrently: order is free.
        assert any("100 ⭐" in (m.text or "") for m in shop.telegram.messages_to(user.telegram_id))

    async def test_spent_stars_are_not_refunded(self, shop: Shop) -> None:
        user, p = await self._paid_stars(shop)
        async with unit_of_work(shop.sessions) as s:
            from app.billing.ledger import change_balance

            await change_balance(s, user.id, Decimal("-100"), LedgerKind.purchase)
        resp = await shop.api.post(
            f"/api/v1/admin/payments/{p['id']}/refund",
            json={"reason": "Customer asked"},
            headers=await self._admin(shop),
        )
        assert resp.status_code == 402
        assert shop.telegram.refunds == []
        assert (await shop.payment(p["id"])).status is PaymentStatus.paid

    async def test_telegram_refusal_rolls_everything_back(self, shop: Shop) -> None:
        user, p = await self._paid_stars(shop)
        shop.telegram.refunds.append(
            {"user_id": user.telegram_id, "telegram_payment_charge_id": f"ch-{p['id']}"}
        )
        resp = await shop.api.post(
            f"/api/v1/admin/payments/{p['id']}/refund",
            json={"reason": "Customer asked"},
            headers=await self._admin(shop),
        )
        assert resp.status_code == 409 and "ALREADY_REFUNDED" in resp.json()["detail"]
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")

    async def test_a_provider_paid_order_is_refunded_to_the_balance(self, shop: Shop) -> None:
        _user, headers = await new_customer(shop)
        async with unit_of_work(shop.sessions) as s:
            location, tariff = await catalog(s, price="120.00")
        bought = (
            await shop.api.post(PURCHASE, json=order(location, tariff, method="cryptopay"), headers=headers)
        ).json()
        shop.cryptopay.pay(
            next(
                i["invoice_id"]
                for i in shop.cryptopay.invoices.values()
                if i["payload"] == bought["payment"]["id"]
            )
        )
        await shop.work()
        resp = await shop.api.post(
            f"/api/v1/admin/payments/{bought['payment']['id']}/refund",
            json={"reason": "Wrong location"},
            headers=await self._admin(shop),
        )
        assert resp.status_code == 200 and resp.json()["balance"] == "120.00"


class TestRateRefresh:
    async def test_rate_from_cryptopay_with_markup(self, shop: Shop) -> None:
        async with unit_of_work(shop.sessions) as s:
            await set_value(s, keys.XROCKET_RATE_AUTO, True)
            await set_value(s, keys.XROCKET_RATE_MARKUP, "2")
        await get_queue().enqueue_job("payments.refresh_rates", _job_id="rates-1")
        await shop.work()
        async with shop.sessions() as s:
            assert await get_value(s, keys.XROCKET_RUB_RATE) == Decimal("97.4100")  # 95.50 + 2 %
        _, headers = await new_customer(shop)
        p = await topup(shop, headers, "xrocket", "194.82")
        assert p["exchange_rate"] == "97.41" and p["provider_amount"] == "2"

    async def test_toncoin_maps_to_ton_and_off_means_off(self, shop: Shop) -> None:
        await get_queue().enqueue_job("payments.refresh_rates", _job_id="rates-off")
        await shop.work()
        async with unit_of_work(shop.sessions) as s:
            assert await get_value(s, keys.XROCKET_RUB_RATE) == Decimal("95")
            await set_value(s, keys.XROCKET_RATE_AUTO, True)
            await set_value(s, keys.XROCKET_ASSET, "TONCOIN")
        await get_queue().enqueue_job("payments.refresh_rates", _job_id="rates-ton")
        await shop.work()
        async with shop.sessions() as s:
            assert await get_value(s, keys.XROCKET_RUB_RATE) == Decimal("310.0000")


class TestFailedProvisioningRefund:
    async def test_the_order_is_refunded_once_and_staff_cannot_refund_it_again(
        self, client: AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        from app.payments.refunds import refund_failed_order

        headers = await admin_headers(client, session, AdminRole.admin)
        user = await fund(session, await create_user(session), "100")
        location, tariff = await catalog(session)
        bought = (
            await client.post(PURCHASE, json=order(location, tariff), headers=user_headers(settings, user))
        ).json()
        sub_id = uuid.UUID(bought["subscription"]["id"])
        assert await refund_failed_order(session, sub_id, "no server could create the client") == Decimal(
            "49.00"
        )
        assert await refund_failed_order(session, sub_id, "retried job") == 0
        assert await balance_of(session, user.id) == Decimal("100.00")
        stored = await session.get(Payment, uuid.UUID(bought["payment"]["id"]))
        assert stored is not None and stored.status is PaymentStatus.refunded
        resp = await client.post(
            f"/api/v1/admin/payments/{bought['payment']['id']}/refund",
            json={"reason": "double"},
            headers=headers,
        )
        assert resp.status_code == 409

    async def test_a_provider_paid_order_keeps_its_top_up(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        from app.payments.refunds import refund_failed_order
        from tests.purchases.test_purchases import active_subscription

        headers = await admin_headers(client, session, AdminRole.admin)
        user = await fund(session, await create_user(session), "0.01")
        location, _ = await catalog(session)
        sub = await active_subscription(session, user, location)
        p = payment(
            user.id,
            "60",
            PaymentMethod.cryptopay,
            PaymentStatus.paid,
            purpose=PaymentPurpose.purchase,
            order_price=Decimal("60"),
            fulfilled_at=utcnow(),
            subscription_id=sub.id,
        )
        session.add(p)
        await session.flush()
        payment_id = p.id
        assert await refund_failed_order(session, sub.id, "panel down") == Decimal("60.00")
        assert p.status is PaymentStatus.paid and p.status_detail == "order refunded: panel down"
        assert await refund_failed_order(session, uuid.uuid4(), "nothing") == 0
        resp = await client.post(
            f"/api/v1/admin/payments/{payment_id}/refund", json={"reason": "double"}, headers=headers
        )
        assert resp.status_code == 409 and "already been refunded" in resp.json()["detail"]
