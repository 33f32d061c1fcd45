"""Top-ups end to end through the real HTTP stack: invoice → provider pays → webhook → worker → balance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.billing import settings_keys as keys
from app.db import unit_of_work
from app.models import BalanceLedger, Payment, PaymentEvent
from app.models.enums import LedgerKind, PaymentStatus
from app.shop_settings.registry import set_value
from tests.factories import create_user
from tests.money import balance_of, user_headers
from tests.payments.conftest import Shop


async def new_customer(shop: Shop, **kw: Any) -> tuple[Any, dict[str, str]]:
    async with unit_of_work(shop.sessions) as s:
        user = await create_user(s, **kw)
    return user, user_headers(shop.settings, user)


async def topup(shop: Shop, headers: dict[str, str], method: str, amount: Any = "150.00") -> dict[str, Any]:
    resp = await shop.api.post(
        "/api/v1/users/me/topups", json={"amount": amount, "method": method}, headers=headers
    )
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


class TestPaymentMethods:
    async def test_lists_configured_methods_with_limits_and_sandbox(self, shop: Shop) -> None:
        resp = await shop.api.get("/api/v1/payment-methods")
        assert resp.status_code == 200
        methods = {m["method"]: m for m in resp.json()}
        assert list(methods) == ["severpay", "cryptopay", "xrocket", "stars"]
        assert (
            methods["cryptopay"]["min_amount"] == "50.00"
            and methods["cryptopay"]["max_amount"] == "100000.00"
        )
        assert all(m["sandbox"] for m in methods.values())  # every provider is a loopback stand-in here
        assert methods["xrocket"]["currency"] == "USDT" and methods["xrocket"]["rub_rate"] == "95"
        assert methods["stars"]["currency"] == "XTR"

    async def test_switched_off_methods_and_shop_limits(self, shop: Shop) -> None:
        async with unit_of_work(shop.sessions) as s:
            await set_value(s, keys.METHOD_ENABLED[keys.PaymentMethod.xrocket], False)
            await set_value(s, keys.TOPUP_MIN, "100")
        methods = {m["method"]: m for m in (await shop.api.get("/api/v1/payment-methods")).json()}
        assert "xrocket" not in methods
        assert methods["severpay"]["min_amount"] == "100.00"
        _, headers = await new_customer(shop)
        resp = await shop.api.post(
            "/api/v1/users/me/topups", json={"amount": "150", "method": "xrocket"}, headers=headers
        )
        assert resp.status_code == 400 and resp.json()["error"] == "PaymentMethodUnavailable"
        resp = await shop.api.post(
            "/api/v1/users/me/topups", json={"amount": "99.99", "method": "severpay"}, headers=headers
        )
        assert resp.status_code == 400 and resp.json()["error"] == "AmountOutOfRange"
        assert "100 ₽" in resp.json()["detail"]


class TestTopupEndToEnd:
    async def test_cryptopay(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "cryptopay", "150.00")
        assert payment["status"] == "pending" and payment["pay_url"].startswith("https://t.me/")
        assert payment["amount"] == "150.00" and payment["is_sandbox"] is True
        invoice_id = int(
            next(i for i in shop.cryptopay.invoices.values() if i["payload"] == payment["id"])["invoice_id"]
        )
        shop.cryptopay.pay(invoice_id)
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")
            entry = (await s.scalars(select(BalanceLedger).where(BalanceLedger.user_id == user.id))).one()
            assert entry.kind is LedgerKind.topup and str(entry.payment_id) == payment["id"]
            event = (await s.scalars(select(PaymentEvent))).one()
            assert event.verdict == "credited" and event.handled_at is not None and event.signature_valid
        paid = (await shop.api.get(f"/api/v1/users/me/payments/{payment['id']}", headers=headers)).json()
        assert paid["status"] == "paid" and paid["paid_at"]
        assert "150 ₽" in shop.telegram.last_to(user.telegram_id).text  # "payment received" reached Telegram

    async def test_xrocket_bills_the_asset_at_the_configured_rate(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "xrocket", 190)
        assert payment["provider_currency"] == "USDT"
        assert Decimal(payment["provider_amount"]) == Decimal("2") and Decimal(
            payment["exchange_rate"]
        ) == Decimal("95")
        invoice = next(i for i in shop.xrocket.invoices.values() if i["payload"] == payment["id"])
        assert invoice["amount"] == 2.0 and invoice["currency"] == "USDT"
        shop.xrocket.pay(invoice["id"])
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("190.00")

    async def test_severpay_process_then_success(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "severpay", 150.5)
        assert payment["amount"] == "150.50"
        sp_id = next(p["id"] for p in shop.severpay.payments.values() if p["order_id"] == payment["id"])
        shop.severpay.pay(sp_id)  # a "process" webhook, then a "success" one
        await shop.work()
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.50")
            verdicts = sorted((await s.scalars(select(PaymentEvent.verdict))).all())
        assert verdicts == ["credited", "ignored_status"]
        assert all(d.delivered for d in shop.severpay.webhooks.deliveries)  # {"status": true} each time


class TestTopupValidation:
    @pytest.mark.parametrize(
        ("amount", "status"),
        [
            ("150.001", 422),
            ("-5", 422),
            ("0", 422),
            ("abc", 422),
            (150.25, 201),
            ("150", 201),
            ("49.99", 400),
            ("100000.01", 400),
        ],
    )
    async def test_amounts(self, shop: Shop, amount: Any, status: int) -> None:
        _, headers = await new_customer(shop)
        resp = await shop.api.post(
            "/api/v1/users/me/topups", json={"amount": amount, "method": "cryptopay"}, headers=headers
        )
        assert resp.status_code == status, resp.text

    async def test_unknown_method_is_422_and_anonymous_is_401(self, shop: Shop) -> None:
        _, headers = await new_customer(shop)
        resp = await shop.api.post(
            "/api/v1/users/me/topups", json={"amount": "100", "method": "balance"}, headers=headers
        )
        assert resp.status_code == 422
        resp = await shop.api.post("/api/v1/users/me/topups", json={"amount": "100", "method": "cryptopay"})
        assert resp.status_code == 401

    async def test_provider_outage_answers_503_and_records_nothing(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        shop.cryptopay.fail_next = 1
        resp = await shop.api.post(
            "/api/v1/users/me/topups", json={"amount": "100", "method": "cryptopay"}, headers=headers
        )
        assert resp.status_code == 503 and resp.json()["error"] == "PaymentProviderUnavailable"
        async with shop.sessions() as s:
            assert (await s.scalars(select(Payment).where(Payment.user_id == user.id))).all() == []

    async def test_customer_sees_only_own_payments(self, shop: Shop) -> None:
        _, headers = await new_customer(shop)
        _, other_headers = await new_customer(shop)
        mine = await topup(shop, headers, "cryptopay")
        await topup(shop, other_headers, "cryptopay")
        page = (await shop.api.get("/api/v1/users/me/payments", headers=headers)).json()
        assert page["total"] == 1 and page["items"][0]["id"] == mine["id"]
        assert (
            await shop.api.get(f"/api/v1/users/me/payments/{mine['id']}", headers=other_headers)
        ).status_code == 404
        pending = (await shop.api.get("/api/v1/users/me/payments?status=paid", headers=headers)).json()
        assert pending["total"] == 0


class TestCheckNow:
    async def test_customer_check_credits_without_waiting_for_the_webhook(self, shop: Shop) -> None:
        user, headers = await new_customer(shop)
        payment = await topup(shop, headers, "cryptopay")
        invoice_id = next(
            i["invoice_id"] for i in shop.cryptopay.invoices.values() if i["payload"] == payment["id"]
        )
        shop.cryptopay.webhooks.switches.lost = True
        shop.cryptopay.pay(invoice_id)
        resp = await shop.api.post(f"/api/v1/users/me/payments/{payment['id']}/check", headers=headers)
        assert resp.status_code == 200 and resp.json()["status"] == "paid"
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")
        again = await shop.api.post(f"/api/v1/users/me/payments/{payment['id']}/check", headers=headers)
        assert again.json()["status"] == "paid"
        async with shop.sessions() as s:
            assert await balance_of(s, user.id) == Decimal("150.00")

    async def test_check_of_an_unpaid_invoice_keeps_it_pending_and_is_throttled(self, shop: Shop) -> None:
        _, headers = await new_customer(shop)
        payment = await topup(shop, headers, "severpay")
        for _ in range(3):
            resp = await shop.api.post(f"/api/v1/users/me/payments/{payment['id']}/check", headers=headers)
            assert resp.json()["status"] == "pending"
        assert (await shop.payment(payment["id"])).status is PaymentStatus.pending
        assert [path for path, _ in shop.severpay.calls].count("/payin/get") == 1
