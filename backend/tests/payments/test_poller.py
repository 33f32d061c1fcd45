"""The poller: lost webhooks still credit, stale invoices close, stuck events are retried."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update

from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import Payment, PaymentEvent
from app.models.enums import PaymentStatus
from app.payments.settlement import settle_paid
from app.worker.enqueue import get_queue
from tests.money import balance_of
from tests.payments.conftest import Shop
from tests.payments.test_topups import new_customer, topup
from tests.payments.test_webhooks import cryptopay_invoice


async def poll(shop: Shop) -> None:
    await get_queue().enqueue_job("payments.poll", _job_id=f"poll-{utcnow().timestamp()}")
    await shop.work()


class TestLostWebhooks:
    async def test_every_provider_is_credited_by_the_poller(self, shop: Shop) -> None:
        for fake in (shop.cryptopay, shop.xrocket, shop.severpay):
            fake.webhooks.switches.lost = True
        user, headers = await new_customer(shop)
        cp = await topup(shop, headers, "cryptopay", "100")
        xr = await topup(shop, headers, "xrocket", "95")
        sp = await topup(shop, headers, "severpay", "120.50")
        shop.cryptopay.pay(
            next(i["invoice_id"] for i in shop.cryptopay.invoices.values() if i["payload"] == cp["id"])
        )
        shop.xrocket.pay(next(i["id"] for i in shop.xrocket.invoices.values() if i["payload"] == xr["id"]))
        shop.severpay.pay(next(p["id"] for p in shop.severpay.payments.values() if p["order_id"] == sp["id"]))
        await poll(shop)
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("315.50")
            assert (await s.scalars(select(PaymentEvent))).all() == []
        await poll(shop)  # nothing twice
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("315.50")

    async def test_provider_outage_leaves_payments_for_the_next_run(self, shop: Shop) -> None:
        shop.cryptopay.webhooks.switches.lost = True
        _user, payment, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.pay(invoice_id)
        shop.cryptopay.fail_next = 10
        await poll(shop)
        assert (await shop.payment(payment["id"])).status is PaymentStatus.pending
        shop.cryptopay.fail_next = 0
        await poll(shop)
        assert (await shop.payment(payment["id"])).status is PaymentStatus.paid


class TestClosingUnpaid:
    async def test_expired_and_failed_invoices_close(self, shop: Shop) -> None:
        _, cp, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.expire(invoice_id)
        _, headers = await new_customer(shop)
        sp = await topup(shop, headers, "severpay")
        sp_id = next(p["id"] for p in shop.severpay.payments.values() if p["order_id"] == sp["id"])
        shop.severpay.set_status(sp_id, "decline", notify=False)
        await poll(shop)
        assert (await shop.payment(cp["id"])).status is PaymentStatus.expired
        failed = await shop.payment(sp["id"])
        assert failed.status is PaymentStatus.failed and failed.status_detail == "decline"

    async def test_late_payment_of_an_expired_invoice_is_still_credited(self, shop: Shop) -> None:
        user, payment, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.expire(invoice_id)
        await poll(shop)
        assert (await shop.payment(payment["id"])).status is PaymentStatus.expired
        shop.cryptopay.invoices[invoice_id]["status"] = "active"  # the payer was already on the checkout page
        shop.cryptopay.pay(invoice_id)
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")

    async def test_unanswered_invoices_are_given_up_after_a_day_and_stars_after_their_ttl(
        self, shop: Shop
    ) -> None:
        _, headers = await new_customer(shop)
        cp = await topup(shop, headers, "cryptopay")
        stars = await topup(shop, headers, "stars")
        async with unit_of_work(shop.sessions) as s:
            await s.execute(
                update(Payment).where(Payment.id == cp["id"]).values(expires_at=utcnow() - timedelta(days=2))
            )
            await s.execute(
                update(Payment)
                .where(Payment.id == stars["id"])
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )
        await poll(shop)
        assert (await shop.payment(cp["id"])).status is PaymentStatus.expired
        assert (await shop.payment(stars["id"])).status is PaymentStatus.expired


class TestStuckEvents:
    async def test_an_event_whose_job_was_lost_is_retried(self, shop: Shop) -> None:
        user, _, invoice_id = await cryptopay_invoice(shop)
        shop.cryptopay.pay(invoice_id)
        await shop.cryptopay.webhooks.drain()
        redis = get_queue()
        await redis.delete("arq:queue")  # the processing job vanished (Redis restarted)
        async with unit_of_work(shop.sessions) as s:
            await s.execute(update(PaymentEvent).values(received_at=utcnow() - timedelta(minutes=5)))
        await poll(shop)
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")
            event = (await s.scalars(select(PaymentEvent))).one()
        # The poller's status read or the re-queued event credits it; either way the event is closed.
        assert event.verdict in {"credited", "already_paid"} and event.handled_at is not None


async def test_crediting_the_same_payment_100_times_concurrently_credits_once(shop: Shop) -> None:
    user, payment, _ = await cryptopay_invoice(shop)

    async def settle() -> bool:
        async with unit_of_work(shop.sessions) as s:
            return (await settle_paid(s, payment["id"], source="test")).credited

    results = await asyncio.gather(*[settle() for _ in range(100)])
    assert results.count(True) == 1
    async with shop.sessions() as s:
        assert await balance_of(s, user.id) == Decimal("150.00")
