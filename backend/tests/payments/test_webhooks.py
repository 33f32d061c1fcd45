"""The webhook inbox: forged, unsigned, replayed, duplicated, mismatched and out-of-order notifications."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from app.metrics import WEBHOOK_REJECTED
from app.models import PaymentEvent
from app.models.enums import PaymentStatus
from tests.money import balance_of
from tests.payments.conftest import STAFF_CHAT, Shop
from tests.payments.test_topups import new_customer, topup


async def cryptopay_invoice(shop: Shop, amount: str = "150.00") -> tuple[Any, dict[str, Any], int]:
    user, headers = await new_customer(shop)
    payment = await topup(shop, headers, "cryptopay", amount)
    invoice_id = next(
        i["invoice_id"] for i in shop.cryptopay.invoices.values() if i["payload"] == payment["id"]
    )
    return user, payment, invoice_id


async def events(shop: Shop) -> list[PaymentEvent]:
    async with shop.sessions() as s:
        return list((await s.scalars(select(PaymentEvent).order_by(PaymentEvent.received_at))).all())


def rejected(provider: str, verdict: str) -> float:
    return WEBHOOK_REJECTED.labels(provider, verdict)._value.get()


class TestForgedAndUnsigned:
    async def test_forged_signature_changes_nothing_is_stored_and_alerts(self, shop: Shop) -> None:
        user, payment, invoice_id = await cryptopay_invoice(shop)
        before = rejected("cryptopay", "bad_signature")
        shop.cryptopay.webhooks.switches.forge = True
        shop.cryptopay.pay(invoice_id)
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0
        (event,) = await events(shop)
        assert (
            event.verdict == "bad_signature"
            and not event.signature_valid
            and event.event_key.startswith("rejected:")
        )
        assert event.source_ip == "127.0.0.1" and "crypto-pay-api-signature" in event.headers
        assert rejected("cryptopay", "bad_signature") == before + 1
        assert all(401 in d.statuses for d in shop.cryptopay.webhooks.deliveries)
        alerts = [m.text or "" for m in shop.telegram.messages_to(STAFF_CHAT)]
        assert (
            len(alerts) == 1 and "cryptopay" in alerts[0] and "bad_signature" in alerts[0]
        )  # one per window
        assert (await shop.payment(payment["id"])).status is PaymentStatus.pending

    async def test_a_forged_call_does_not_block_the_genuine_one(self, shop: Shop) -> None:
        user, _, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.webhooks.switches.forge = True
        shop.cryptopay.pay(invoice_id)
        await shop.cryptopay.webhooks.drain()
        shop.cryptopay.webhooks.switches.forge = False
        shop.cryptopay.send_paid_webhook(invoice_id)
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")
        assert sorted(e.verdict for e in await events(shop)) == ["bad_signature", "credited"]

    async def test_unsigned_and_tampered(self, shop: Shop) -> None:
        user, _, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.webhooks.switches.unsigned = True
        shop.cryptopay.pay(invoice_id)
        await shop.cryptopay.webhooks.drain()
        shop.cryptopay.webhooks.switches.unsigned = False

        def raise_amount(body: dict[str, Any]) -> dict[str, Any]:
            body["payload"]["amount"] = "15000"
            return body

        shop.cryptopay.webhooks.switches.tamper = raise_amount
        shop.cryptopay.send_paid_webhook(invoice_id)
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0
        assert sorted(e.verdict for e in await events(shop)) == ["bad_signature", "unsigned"]

    async def test_severpay_forged_answers_status_false(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "severpay")
        sp_id = next(p["id"] for p in shop.severpay.payments.values() if p["order_id"] == payment["id"])
        body = shop.severpay.webhook_body(sp_id, "success").replace(b'"sign":"', b'"sign":"00')
        resp = await shop.api.post("/api/v1/webhooks/payments/severpay", content=body)
        assert resp.status_code == 401 and resp.json() == {"status": False, "msg": "bad_signature"}
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0


class TestMismatches:
    async def test_signed_but_wrong_amount_or_currency_or_unknown_invoice(self, shop: Shop) -> None:
        user, _, invoice_id = await cryptopay_invoice(shop)
        other_user, _, other_invoice = await cryptopay_invoice(shop)
        for i in (invoice_id, other_invoice):
            shop.cryptopay.invoices[i]["status"] = "paid"
        shop.cryptopay.send_paid_webhook(invoice_id, amount="1.00")
        shop.cryptopay.send_paid_webhook(other_invoice, fiat="USD")
        stranger = shop.cryptopay.m_createInvoice({"currency_type": "fiat", "fiat": "RUB", "amount": "150"})
        shop.cryptopay.invoices[stranger["invoice_id"]]["status"] = "paid"
        shop.cryptopay.send_paid_webhook(stranger["invoice_id"])
        await shop.cryptopay.webhooks.drain()
        verdicts = sorted(e.verdict for e in await events(shop))
        assert verdicts == ["amount_mismatch", "currency_mismatch", "unknown_invoice"]
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == await balance_of(s, other_user.id) == 0
        # They are stored and answered 200, so the provider stops retrying them.
        assert all(d.statuses == [200] for d in shop.cryptopay.webhooks.deliveries)

    async def test_webhook_claiming_paid_for_an_open_invoice_is_not_credited(self, shop: Shop) -> None:
        user, _, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.send_paid_webhook(invoice_id, status="paid")  # the invoice itself is still active
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0
        (event,) = await events(shop)
        assert event.verdict == "not_paid_at_provider" and event.handled_at is not None

    async def test_xrocket_amount_in_the_wrong_asset(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "xrocket", "190")
        invoice = next(i for i in shop.xrocket.invoices.values() if i["payload"] == payment["id"])
        invoice["status"] = "paid"
        shop.xrocket.send_paid_webhook(invoice["id"], currency="TONCOIN")
        await shop.work()
        assert [e.verdict for e in await events(shop)] == ["currency_mismatch"]
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0


class TestDuplicates:
    async def test_the_same_webhook_100_times_concurrently_credits_once(self, shop: Shop) -> None:
        user, _, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.webhooks.switches.copies = 100
        shop.cryptopay.pay(invoice_id)
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")
        assert [e.verdict for e in await events(shop)] == ["credited"]
        deliveries = shop.cryptopay.webhooks.deliveries
        assert len(deliveries) == 100 and all(d.delivered for d in deliveries)

    async def test_replay_after_crediting(self, shop: Shop) -> None:
        user, _, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.pay(invoice_id)
        await shop.work()
        body = shop.cryptopay.webhooks.deliveries[0]
        resp = await shop.api.post(
            "/api/v1/webhooks/payments/cryptopay", content=body.body, headers=body.headers
        )
        assert resp.status_code == 200 and resp.json()["verdict"] == "duplicate"
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")

    async def test_severpay_out_of_order_and_late_failure(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "severpay", "200")
        sp_id = next(p["id"] for p in shop.severpay.payments.values() if p["order_id"] == payment["id"])
        shop.severpay.set_status(sp_id, "success")
        await shop.severpay.webhooks.drain()
        shop.severpay.send_webhook(sp_id, "process")  # an older status arriving after the final one
        shop.severpay.send_webhook(sp_id, "fail")  # and a contradicting one; the status read decides
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("200.00")
        assert (await shop.payment(payment["id"])).status is PaymentStatus.paid
        assert sorted(e.verdict for e in await events(shop)) == ["already_paid", "credited", "ignored_status"]


class TestInboxEdges:
    async def test_severpay_test_ping(self, shop: Shop) -> None:
        resp = await shop.api.post(
            "/api/v1/webhooks/payments/severpay", content=shop.severpay.test_webhook_body()
        )
        assert resp.status_code == 200 and resp.json() == {"status": True}
        assert [e.verdict for e in await events(shop)] == ["test"]

    async def test_unknown_or_unconfigured_provider_and_oversized_body(self, shop: Shop) -> None:
        assert (await shop.api.post("/api/v1/webhooks/payments/paypal", content=b"{}")).status_code == 404
        assert (await shop.api.post("/api/v1/webhooks/payments/stars", content=b"{}")).status_code == 404
        big = b'{"pad":"' + b"x" * 70_000 + b'"}'
        resp = await shop.api.post("/api/v1/webhooks/payments/cryptopay", content=big)
        assert resp.status_code == 413 and resp.json()["error"] == "PayloadTooLarge"

        async def chunks() -> Any:
            for _ in range(70):
                yield b"x" * 1024

        streamed = await shop.api.post("/api/v1/webhooks/payments/cryptopay", content=chunks())
        assert streamed.status_code == 413
        assert await events(shop) == []

    async def test_signed_but_unsupported_update(self, shop: Shop) -> None:
        from fakes.payment_webhooks import token_hash_sign

        body = json.dumps({"update_id": 5, "update_type": "check_activated", "payload": {}}).encode()
        resp = await shop.api.post(
            "/api/v1/webhooks/payments/cryptopay",
            content=body,
            headers={"crypto-pay-api-signature": token_hash_sign(shop.cryptopay.token, body)},
        )
        assert resp.status_code == 200 and resp.json()["verdict"] == "unsupported"

    async def test_provider_not_configured_gives_404(self, shop: Shop, engine: Any, redis: Any) -> None:
        from tests.conftest import _build_app, make_settings

        app = _build_app(make_settings(), engine, redis)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            resp = await c.post("/api/v1/webhooks/payments/cryptopay", content=b"{}")
        assert resp.status_code == 404


async def test_webhooks_for_many_invoices_at_once(shop: Shop) -> None:
    invoices = [await cryptopay_invoice(shop, "75") for _ in range(5)]
    for _, _, invoice_id in invoices:
        shop.cryptopay.pay(invoice_id)
    await asyncio.gather(shop.cryptopay.webhooks.drain())
    await shop.work()
    async with shop.sessions() as s:
        for user, _, _ in invoices:
            assert await balance_of(s, user.id) == Decimal("75.00")
