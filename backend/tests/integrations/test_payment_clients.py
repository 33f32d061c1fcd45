"""The real provider clients against the strict local fakes: envelopes, auth, errors, amounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from app.integrations.payments.base import (
    InvoiceRequest,
    InvoiceStatus,
    ProviderRejected,
    ProviderUnavailable,
)
from app.integrations.payments.cryptopay import CryptoPayClient
from app.integrations.payments.severpay import SeverPayClient
from app.integrations.payments.stars import StarsClient
from app.integrations.payments.xrocket import XRocketPayClient
from app.integrations.telegram.client import BotApiClient
from fakes.cryptopay import CryptoPayFake
from fakes.server import BackgroundServer, free_port
from fakes.severpay import SeverPayFake
from fakes.telegram import BotApiEmulator
from fakes.xrocket import XRocketFake

CP_TOKEN = "777:AAcryptopay-test-token"
XR_KEY = "xrocket-test-key-0123456789"
SP_TOKEN = "severpay-test-token-0123"
SP_MID = 42
BOT_TOKEN = "4242:stars-client-token"


def request(order_id: str = "order-1", amount: str = "150.00", **kw: object) -> InvoiceRequest:
    values: dict[str, object] = {"description": "Пополнение", "ttl_seconds": 3600, **kw}
    return InvoiceRequest(order_id=order_id, amount_rub=Decimal(amount), **values)  # type: ignore[arg-type]


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


class TestCryptoPayClient:
    @pytest.fixture
    async def fake(self) -> AsyncIterator[tuple[CryptoPayFake, str]]:
        fake = CryptoPayFake(CP_TOKEN)
        async with BackgroundServer(fake.app) as url:
            yield fake, url

    async def test_creates_a_fiat_rub_invoice_and_reads_it_back(self, fake, http) -> None:
        cp, url = fake
        client = CryptoPayClient(url, CP_TOKEN, http)
        invoice = await client.create_invoice(
            request(accepted_assets="USDT,TON", return_url="https://t.me/shop_bot")
        )
        assert invoice.status is InvoiceStatus.pending
        assert invoice.amount == Decimal("150") and invoice.currency == "RUB"
        assert invoice.pay_url and invoice.pay_url.startswith("https://t.me/")
        method, params = cp.calls[-1]
        assert method == "createInvoice"
        assert params["currency_type"] == "fiat" and params["fiat"] == "RUB" and params["amount"] == "150.00"
        assert params["accepted_assets"] == "USDT,TON" and params["payload"] == "order-1"
        cp.pay(int(invoice.provider_payment_id))
        read = await client.get_invoices([invoice.provider_payment_id, "999999"])
        assert list(read) == [invoice.provider_payment_id]
        assert read[invoice.provider_payment_id].status is InvoiceStatus.paid
        assert read[invoice.provider_payment_id].order_id == "order-1"

    async def test_wrong_token_and_bad_params_are_rejected_not_retried(self, fake, http) -> None:
        _, url = fake
        with pytest.raises(ProviderRejected, match="UNAUTHORIZED"):
            await CryptoPayClient(url, "1:wrong", http).create_invoice(request())
        with pytest.raises(ProviderRejected, match="ACCEPTED_ASSETS_INVALID"):
            await CryptoPayClient(url, CP_TOKEN, http).create_invoice(request(accepted_assets="DOGE"))

    async def test_outage_and_unreachable_are_retryable(self, fake, http) -> None:
        cp, url = fake
        cp.fail_next = 1
        with pytest.raises(ProviderUnavailable):
            await CryptoPayClient(url, CP_TOKEN, http).create_invoice(request())
        with pytest.raises(ProviderUnavailable):
            await CryptoPayClient(f"http://127.0.0.1:{free_port()}", CP_TOKEN, http).get_invoices(["1"])

    async def test_exchange_rates(self, fake, http) -> None:
        _, url = fake
        rates = await CryptoPayClient(url, CP_TOKEN, http).exchange_rates()
        assert {"source": "USDT", "target": "RUB", "rate": "95.50"}.items() <= rates[0].items()

    async def test_parses_a_paid_update(self, fake, http) -> None:
        cp, url = fake
        client = CryptoPayClient(url, CP_TOKEN, http)
        invoice = await client.create_invoice(request())
        cp.pay(int(invoice.provider_payment_id))
        notice = client.parse_webhook(cp.webhook_body(int(invoice.provider_payment_id)))
        assert notice.event_key == f"invoice:{invoice.provider_payment_id}:paid"
        assert notice.status is InvoiceStatus.paid and notice.amount == Decimal("150")
        with pytest.raises(ValueError, match="update_type"):
            client.parse_webhook(b'{"update_type":"something_else","payload":{}}')


class TestXRocketClient:
    @pytest.fixture
    async def fake(self) -> AsyncIterator[tuple[XRocketFake, str]]:
        fake = XRocketFake(XR_KEY)
        async with BackgroundServer(fake.app) as url:
            yield fake, url

    async def test_creates_an_asset_invoice_and_reads_it_back(self, fake, http) -> None:
        xr, url = fake
        client = XRocketPayClient(url, XR_KEY, http)
        invoice = await client.create_invoice(
            request(provider_amount=Decimal("1.578948"), provider_currency="USDT")
        )
        assert invoice.amount == Decimal("1.578948") and invoice.currency == "USDT"
        assert invoice.order_id == "order-1" and invoice.pay_url
        xr.pay(int(invoice.provider_payment_id))
        read = await client.get_invoices([invoice.provider_payment_id, "424242"])
        assert read[invoice.provider_payment_id].status is InvoiceStatus.paid
        assert "424242" not in read

    async def test_errors(self, fake, http) -> None:
        xr, url = fake
        with pytest.raises(ProviderRejected, match="Unauthorized"):
            await XRocketPayClient(url, "wrong", http).create_invoice(
                request(provider_amount=Decimal("1"), provider_currency="USDT")
            )
        with pytest.raises(ProviderRejected, match="currency"):
            await XRocketPayClient(url, XR_KEY, http).create_invoice(
                request(provider_amount=Decimal("1"), provider_currency="DOGE")
            )
        with pytest.raises(ProviderRejected, match="asset"):
            await XRocketPayClient(url, XR_KEY, http).create_invoice(request())
        xr.fail_next = 1
        with pytest.raises(ProviderUnavailable):
            await XRocketPayClient(url, XR_KEY, http).create_invoice(
                request(provider_amount=Decimal("1"), provider_currency="USDT")
            )


class TestSeverPayClient:
    @pytest.fixture
    async def fake(self) -> AsyncIterator[tuple[SeverPayFake, str]]:
        fake = SeverPayFake(SP_MID, SP_TOKEN)
        async with BackgroundServer(fake.app) as url:
            yield fake, url

    async def test_signed_create_and_get(self, fake, http) -> None:
        sp, url = fake
        client = SeverPayClient(url, SP_MID, SP_TOKEN, http)
        invoice = await client.create_invoice(request(amount="150.50", customer_id="100500"))
        assert invoice.pay_url and invoice.pay_url.startswith("https://severpay.io/pay/")
        path, body = sp.calls[-1]
        assert path == "/payin/create"
        assert body["amount"] == 150.5 and body["currency"] == "RUB" and body["mid"] == SP_MID
        assert body["client_email"] == "100500@telegram.org" and body["lifetime"] == 60
        sp.pay(int(invoice.provider_payment_id))
        read = await client.get_invoices([invoice.provider_payment_id])
        assert read[invoice.provider_payment_id].status is InvoiceStatus.paid
        assert read[invoice.provider_payment_id].amount == Decimal("150.5")

    async def test_wrong_token_mid_and_duplicates_are_rejected(self, fake, http) -> None:
        _, url = fake
        with pytest.raises(ProviderRejected, match="Invalid sign"):
            await SeverPayClient(url, SP_MID, "wrong", http).create_invoice(request())
        with pytest.raises(ProviderRejected, match="Unknown merchant"):
            await SeverPayClient(url, SP_MID + 1, SP_TOKEN, http).create_invoice(request())
        client = SeverPayClient(url, SP_MID, SP_TOKEN, http)
        await client.create_invoice(request(order_id="same"))
        with pytest.raises(ProviderRejected, match="order_id"):
            await client.create_invoice(request(order_id="same"))
        assert await client.get_invoices(["1"]) == {}

    async def test_parses_webhooks(self, fake, http) -> None:
        sp, url = fake
        client = SeverPayClient(url, SP_MID, SP_TOKEN, http)
        invoice = await client.create_invoice(request(amount="199.00"))
        body = sp.webhook_body(int(invoice.provider_payment_id), "success")
        assert client.verify_webhook(body, {})
        notice = client.parse_webhook(body)
        assert notice.status is InvoiceStatus.paid and notice.amount == Decimal("199.0")
        assert notice.order_id == "order-1" and notice.event_key.endswith(":success")
        ping = client.parse_webhook(sp.test_webhook_body())
        assert ping.is_test
        sp.sorted_webhook_signature = True
        assert client.verify_webhook(sp.webhook_body(int(invoice.provider_payment_id), "fail"), {})


class TestStarsClient:
    async def test_invoice_link_and_refund(self, http) -> None:
        emulator = BotApiEmulator(BOT_TOKEN)
        async with BackgroundServer(emulator.app) as url:
            client = StarsClient(BotApiClient(url, BOT_TOKEN, http))
            invoice = await client.create_invoice(
                request(
                    description="Пополнение баланса VPN Shop на 150 ₽ — очень длинное название",
                    provider_amount=Decimal(100),
                )
            )
            assert invoice.pay_url and invoice.pay_url.startswith("https://t.me/$")
            sent = emulator.invoice_links[-1]
            assert sent["currency"] == "XTR" and sent["prices"][0]["amount"] == 100
            assert len(sent["title"]) <= 32 and sent["payload"] == "order-1"
            with pytest.raises(ProviderRejected):
                await client.create_invoice(request(provider_amount=Decimal("1.5")))
            await client.refund(123, "charge-1")
            with pytest.raises(ProviderRejected, match="ALREADY_REFUNDED"):
                await client.refund(123, "charge-1")
            assert await client.get_invoices(["x"]) == {}
