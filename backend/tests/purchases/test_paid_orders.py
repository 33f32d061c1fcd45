"""Purchases that need a payment: the missing amount is invoiced and the order completes when paid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import Location, Payment, PromoCode, PromoRedemption, Subscription, Tariff
from app.models.enums import PaymentPurpose, PaymentStatus, PromoKind, SubscriptionStatus
from app.worker.enqueue import get_queue
from tests.factories import create_user
from tests.money import balance_of, fund, user_headers
from tests.payments.conftest import Shop, shop
from tests.purchases.test_purchases import URL, active_subscription, catalog, order

__all__ = ["shop"]


async def customer(shop: Shop, balance: str = "0", **kw: Any) -> tuple[Any, dict[str, str]]:
    async with unit_of_work(shop.sessions) as s:
        user = await create_user(s, **kw)
        if Decimal(balance):
            await fund(s, user, balance)
    return user, user_headers(shop.settings, user)


async def shop_catalog(shop: Shop, **kw: Any) -> tuple[Location, Tariff]:
    async with unit_of_work(shop.sessions) as s:
        return await catalog(s, **kw)


async def buy(shop: Shop, headers: dict[str, str], body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    resp = await shop.api.post(URL, json=body, headers=headers)
    assert resp.status_code == status, resp.text
    return dict(resp.json())


def pay_cryptopay(shop: Shop, payment_id: str) -> None:
    shop.cryptopay.pay(
        next(i["invoice_id"] for i in shop.cryptopay.invoices.values() if i["payload"] == payment_id)
    )


async def subscriptions_of(shop: Shop, user: Any) -> list[Subscription]:
    async with shop.sessions() as s:
        return list((await s.scalars(select(Subscription).where(Subscription.user_id == user.id))).all())


class TestPaymentRequired:
    async def test_missing_amount_is_invoiced_and_the_order_completes_when_paid(self, shop: Shop) -> None:
        user, headers = await customer(shop, "20")
        location, tariff = await shop_catalog(shop, price="149.00")
        result = await buy(shop, headers, order(location, tariff, method="cryptopay"))
        assert result["status"] == "payment_required"
        assert result["missing"] == "129.00" and result["payment"]["amount"] == "129.00"
        assert result["payment"]["purpose"] == "purchase" and result["payment"]["order_price"] == "149.00"
        assert result["payment"]["pay_url"]
        assert await subscriptions_of(shop, user) == []
        pay_cryptopay(shop, result["payment"]["id"])
        await shop.work()
        (sub,) = await subscriptions_of(shop, user)
        assert sub.status is SubscriptionStatus.pending and sub.tariff_id == tariff.id
        payment = await shop.payment(result["payment"]["id"])
        assert payment.status is PaymentStatus.paid and payment.fulfilled_at is not None
        assert payment.subscription_id == sub.id
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("0.00")

    async def test_a_tiny_missing_amount_is_invoiced_at_the_minimum_and_the_rest_stays(
        self, shop: Shop
    ) -> None:
        user, headers = await customer(shop, "40")
        location, tariff = await shop_catalog(shop)
        result = await buy(shop, headers, order(location, tariff, method="severpay"))
        assert result["missing"] == "9.00" and result["payment"]["amount"] == "50.00"
        sp_id = next(
            p["id"] for p in shop.severpay.payments.values() if p["order_id"] == result["payment"]["id"]
        )
        shop.severpay.pay(sp_id)
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("41.00")
        assert len(await subscriptions_of(shop, user)) == 1

    async def test_enough_balance_ignores_the_method(self, shop: Shop) -> None:
        _, headers = await customer(shop, "100")
        location, tariff = await shop_catalog(shop)
        result = await buy(shop, headers, order(location, tariff, method="cryptopay"))
        assert result["status"] == "completed" and shop.cryptopay.invoices == {}

    async def test_quoted_price_holds_when_the_plan_gets_dearer(self, shop: Shop) -> None:
        user, headers = await customer(shop)
        location, tariff = await shop_catalog(shop, price="100.00")
        result = await buy(shop, headers, order(location, tariff, method="cryptopay"))
        async with unit_of_work(shop.sessions) as s:
            await s.execute(update(Tariff).where(Tariff.id == tariff.id).values(price=Decimal("500")))
        pay_cryptopay(shop, result["payment"]["id"])
        await shop.work()
        assert len(await subscriptions_of(shop, user)) == 1
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0

    async def test_renewal_through_a_payment(self, shop: Shop) -> None:
        user, headers = await customer(shop)
        location, tariff = await shop_catalog(shop)
        async with unit_of_work(shop.sessions) as s:
            sub = await active_subscription(s, user, location, days_left=3)
        ends = sub.ends_at
        assert ends is not None
        result = await buy(
            shop, headers, order(location, tariff, method="xrocket", subscription_id=str(sub.id))
        )
        assert result["payment"]["purpose"] == "renewal"
        shop.xrocket.pay(
            next(i["id"] for i in shop.xrocket.invoices.values() if i["payload"] == result["payment"]["id"])
        )
        await shop.work()
        (renewed,) = await subscriptions_of(shop, user)
        assert renewed.ends_at == ends + timedelta(days=30)
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("1.00")  # 50 invoiced (the minimum), 49 spent

    async def test_order_that_cannot_complete_leaves_the_money_on_the_balance(self, shop: Shop) -> None:
        user, headers = await customer(shop)
        location, tariff = await shop_catalog(shop, seats=1)
        result = await buy(shop, headers, order(location, tariff, method="cryptopay"))
        other, _ = await customer(shop)
        async with unit_of_work(shop.sessions) as s:
            await active_subscription(s, other, location)  # the last seat went meanwhile
        pay_cryptopay(shop, result["payment"]["id"])
        await shop.work()
        assert await subscriptions_of(shop, user) == []
        payment = await shop.payment(result["payment"]["id"])
        assert payment.status is PaymentStatus.paid and payment.fulfilled_at is None
        assert payment.fulfillment_error and "sold out" in payment.fulfillment_error
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("50.00")
        texts = [m.text or "" for m in shop.telegram.messages_to(user.telegram_id)]
        assert any("заказ не оформлен" in t for t in texts)

    async def test_stars_use_the_plans_own_stars_price(self, shop: Shop) -> None:
        user, headers = await customer(shop)
        location, tariff = await shop_catalog(shop, price="149.00", stars_price=99)
        result = await buy(shop, headers, order(location, tariff, method="stars"))
        assert result["payment"]["provider_amount"] == "99" and result["payment"]["amount"] == "149.00"
        bot = {"X-Bot-Token": shop.settings.bot_service_token.get_secret_value()}
        body = {
            "telegram_id": user.telegram_id,
            "currency": "XTR",
            "total_amount": 99,
            "invoice_payload": result["payment"]["id"],
        }
        assert (
            await shop.api.post("/api/v1/bot/payments/stars/pre-checkout", json=body, headers=bot)
        ).json()["ok"]
        resp = await shop.api.post(
            "/api/v1/bot/payments/stars/paid",
            json={**body, "telegram_payment_charge_id": "stars-1"},
            headers=bot,
        )
        assert resp.status_code == 200 and resp.json()["balance"] == "0.00"
        assert len(await subscriptions_of(shop, user)) == 1


class TestPromoAtCheckout:
    async def _code(self, shop: Shop, **kw: Any) -> PromoCode:
        async with unit_of_work(shop.sessions) as s:
            promo = PromoCode(
                code=kw.pop("code", "SPRING25"), kind=PromoKind.discount, value=Decimal("25"), **kw
            )
            s.add(promo)
        return promo

    async def test_discount_is_reserved_with_the_invoice_and_used_by_the_order(self, shop: Shop) -> None:
        promo = await self._code(shop, max_uses=1)
        user, headers = await customer(shop)
        location, tariff = await shop_catalog(shop, price="100.00")
        result = await buy(shop, headers, order(location, tariff, method="cryptopay", promo_code="spring25"))
        assert (
            result["price"] == "75.00"
            and result["discount"] == "25.00"
            and result["payment"]["amount"] == "75.00"
        )
        _other, other_headers = await customer(shop, "500")
        taken = await buy(shop, other_headers, order(location, tariff, promo_code="SPRING25"), status=409)
        assert taken["error"] == "PromoCodeExhausted"  # the reservation counts
        pay_cryptopay(shop, result["payment"]["id"])
        await shop.work()
        (sub,) = await subscriptions_of(shop, user)
        async with shop.sessions() as s:
            redemption = (await s.scalars(select(PromoRedemption))).one()
            assert redemption.subscription_id == sub.id and redemption.amount == Decimal("25.00")
            assert (await s.get(PromoCode, promo.id)).used_count == 1  # type: ignore[union-attr]
            assert await balance_of(s, user.id) == 0

    async def test_an_expired_checkout_gives_the_use_back(self, shop: Shop) -> None:
        promo = await self._code(shop, max_uses=1)
        _, headers = await customer(shop)
        location, tariff = await shop_catalog(shop)
        result = await buy(shop, headers, order(location, tariff, method="cryptopay", promo_code="SPRING25"))
        shop.cryptopay.expire(
            next(
                i["invoice_id"]
                for i in shop.cryptopay.invoices.values()
                if i["payload"] == result["payment"]["id"]
            )
        )
        await get_queue().enqueue_job("payments.poll", _job_id="poll-release")
        await shop.work()
        async with shop.sessions() as s:
            assert (await s.get(PromoCode, promo.id)).used_count == 0  # type: ignore[union-attr]
            assert await s.scalar(select(func.count(PromoRedemption.id))) == 0
        assert (await shop.payment(result["payment"]["id"])).status is PaymentStatus.expired

    async def test_a_new_checkout_takes_over_the_reservation_and_the_old_invoice_only_tops_up(
        self, shop: Shop
    ) -> None:
        promo = await self._code(shop)
        user, headers = await customer(shop)
        location, tariff = await shop_catalog(shop, price="100.00")
        first = await buy(shop, headers, order(location, tariff, method="cryptopay", promo_code="SPRING25"))
        second = await buy(shop, headers, order(location, tariff, method="severpay", promo_code="SPRING25"))
        old = await shop.payment(first["payment"]["id"])
        assert old.purpose is PaymentPurpose.topup and old.order_price is None
        pay_cryptopay(shop, first["payment"]["id"])  # the customer pays the old invoice after all
        await shop.work()
        assert await subscriptions_of(shop, user) == []
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("75.00")
            assert (await s.get(PromoCode, promo.id)).used_count == 1  # type: ignore[union-attr]
            redemption = (await s.scalars(select(PromoRedemption))).one()
            assert str(redemption.payment_id) == second["payment"]["id"]

    async def test_late_payment_of_an_expired_discounted_checkout_retakes_the_code(self, shop: Shop) -> None:
        await self._code(shop)
        user, headers = await customer(shop)
        location, tariff = await shop_catalog(shop, price="100.00")
        result = await buy(shop, headers, order(location, tariff, method="cryptopay", promo_code="SPRING25"))
        invoice_id = next(
            i["invoice_id"]
            for i in shop.cryptopay.invoices.values()
            if i["payload"] == result["payment"]["id"]
        )
        shop.cryptopay.expire(invoice_id)
        await get_queue().enqueue_job("payments.poll", _job_id="poll-late")
        await shop.work()
        shop.cryptopay.invoices[invoice_id]["status"] = "active"
        pay_cryptopay(shop, result["payment"]["id"])
        await shop.work()
        assert len(await subscriptions_of(shop, user)) == 1
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0
            assert await s.scalar(select(func.count(PromoRedemption.id))) == 1


async def test_payment_rows_of_an_order(shop: Shop) -> None:
    _, headers = await customer(shop, "10")
    location, tariff = await shop_catalog(shop)
    result = await buy(shop, headers, order(location, tariff, method="cryptopay"))
    async with shop.sessions() as s:
        payment = await s.get(Payment, result["payment"]["id"])
        assert payment is not None and payment.tariff_id == tariff.id and payment.location_id == location.id
        assert payment.expires_at is not None and payment.expires_at > utcnow()
