"""Telegram Stars: invoice link, pre-checkout validation, crediting once per charge, refunds."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from app.billing import settings_keys as keys
from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import Payment, PaymentEvent
from app.models.enums import PaymentStatus
from app.shop_settings.registry import set_value
from tests.money import balance_of
from tests.payments.conftest import Shop
from tests.payments.test_topups import new_customer, topup


def bot(shop: Shop) -> dict[str, str]:
    return {"X-Bot-Token": shop.settings.bot_service_token.get_secret_value()}


def checkout(user: Any, payment: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {
        "telegram_id": user.telegram_id,
        "currency": "XTR",
        "total_amount": int(Decimal(payment["provider_amount"])),
        "invoice_payload": payment["id"],
        **kw,
    }


async def paid(shop: Shop, body: dict[str, Any], charge: str = "charge-1") -> Any:
    return await shop.api.post(
        "/api/v1/bot/payments/stars/paid",
        json={**body, "telegram_payment_charge_id": charge, "provider_payment_charge_id": "p-" + charge},
        headers=bot(shop),
    )


class TestStarsTopup:
    async def test_link_pre_checkout_and_credit(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "stars", "150")
        assert payment["provider_currency"] == "XTR" and payment["provider_amount"] == "100"
        assert payment["pay_url"].startswith("https://t.me/$")
        link = shop.telegram.invoice_links[-1]
        assert link["payload"] == payment["id"] and link["prices"][0]["amount"] == 100
        resp = await shop.api.post(
            "/api/v1/bot/payments/stars/pre-checkout", json=checkout(user, payment), headers=bot(shop)
        )
        assert resp.json() == {"ok": True, "error_message": None}
        resp = await paid(shop, checkout(user, payment))
        assert resp.status_code == 200, resp.text
        assert resp.json()["credited"] is True and resp.json()["balance"] == "150.00"
        assert resp.json()["id"] == payment["id"] and resp.json()["status"] == "paid"  # the payment itself
        again = await paid(shop, checkout(user, payment))
        assert again.json()["credited"] is False and again.json()["balance"] == "150.00"
        async with shop.sessions() as s:
            stored = await s.get(Payment, payment["id"])
            assert stored is not None and stored.provider_payment_id == "charge-1"
            assert [e.verdict for e in (await s.scalars(select(PaymentEvent))).all()] == ["credited"]

    async def test_the_same_charge_reported_concurrently_credits_once(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "stars", "90")
        results = await asyncio.gather(*[paid(shop, checkout(user, payment)) for _ in range(20)])
        assert [r.json()["credited"] for r in results].count(True) == 1
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("90.00")

    async def test_stars_rate_from_settings(self, shop: Shop) -> None:
        async with unit_of_work(shop.sessions) as s:
            await set_value(s, keys.STARS_RUB_RATE, "1.33")
        _, headers = await new_customer(shop)
        payment = await topup(shop, headers, "stars", "100")
        assert Decimal(payment["provider_amount"]) == 76  # 100 / 1.33 = 75.19, rounded up to whole Stars

    async def test_too_many_stars(self, shop: Shop) -> None:
        _, headers = await new_customer(shop)
        resp = await shop.api.post(
            "/api/v1/users/me/topups", json={"amount": "20000", "method": "stars"}, headers=headers
        )
        assert resp.status_code == 400 and "Stars" in resp.json()["detail"]


class TestPreCheckoutRefusals:
    async def test_wrong_payer_amount_payload_expired_and_paid(self, shop: Shop) -> None:
        user, headers = await new_customer(shop, language="en")
        payment = await topup(shop, headers, "stars", "150")
        url = "/api/v1/bot/payments/stars/pre-checkout"
        cases = {
            "other payer": checkout(user, payment, telegram_id=1),
            "amount": checkout(user, payment, total_amount=99),
            "currency": checkout(user, payment, currency="USD"),
            "payload": checkout(user, payment, invoice_payload="nonsense"),
        }
        for name, body in cases.items():
            answer = (await shop.api.post(url, json=body, headers=bot(shop))).json()
            assert answer["ok"] is False and answer["error_message"], name
        amount_answer = (await shop.api.post(url, json=cases["amount"], headers=bot(shop))).json()
        assert amount_answer["error_message"] == "The invoice amount does not match. Create a new one."
        async with unit_of_work(shop.sessions) as s:
            await s.execute(update(Payment).values(expires_at=utcnow() - timedelta(seconds=1)))
        expired = (await shop.api.post(url, json=checkout(user, payment), headers=bot(shop))).json()
        assert expired == {
            "ok": False,
            "error_message": "This invoice has expired. Create a new one from the menu.",
        }
        await paid(shop, checkout(user, payment))  # Telegram took the Stars anyway: still credited
        again = (await shop.api.post(url, json=checkout(user, payment), headers=bot(shop))).json()
        assert again["error_message"] == "This invoice has already been paid."

    async def test_bot_token_required(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "stars", "150")
        resp = await shop.api.post("/api/v1/bot/payments/stars/pre-checkout", json=checkout(user, payment))
        assert resp.status_code == 401
        resp = await shop.api.post(
            "/api/v1/bot/payments/stars/paid",
            json={**checkout(user, payment), "telegram_payment_charge_id": "x"},
            headers={"X-Bot-Token": "y" * 40},
        )
        assert resp.status_code == 401


class TestRejectedReports:
    async def test_mismatched_report_is_stored_refused_and_alerted(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "stars", "150")
        resp = await paid(shop, checkout(user, payment, total_amount=1))
        assert resp.status_code == 400 and resp.json()["error"] == "StarsPaymentRejected"
        resp = await paid(
            shop, checkout(user, payment, invoice_payload="00000000-0000-0000-0000-000000000000"), "c2"
        )
        assert resp.status_code == 400
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == 0
            verdicts = sorted((await s.scalars(select(PaymentEvent.verdict))).all())
        assert verdicts == ["amount_mismatch", "unknown_invoice"]
        assert (await shop.payment(payment["id"])).status is PaymentStatus.pending
