"""Which providers are configured, and their adapters built from Settings."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from app.config import Settings
from app.integrations.payments import cryptopay, xrocket
from app.integrations.payments.base import PaymentProvider, WebhookProvider
from app.integrations.payments.cryptopay import CryptoPayClient
from app.integrations.payments.severpay import SeverPayClient
from app.integrations.payments.stars import StarsClient
from app.integrations.payments.xrocket import XRocketPayClient
from app.integrations.telegram.client import BotApiClient
from app.models.enums import PaymentMethod

PROVIDER_METHODS = (
    PaymentMethod.severpay,
    PaymentMethod.cryptopay,
    PaymentMethod.xrocket,
    PaymentMethod.stars,
)
WEBHOOK_METHODS = (PaymentMethod.severpay, PaymentMethod.cryptopay, PaymentMethod.xrocket)
_TEST_HOSTS = {"127.0.0.1", "localhost", "::1", *cryptopay.TESTNET_HOSTS, *xrocket.TESTNET_HOSTS}


def is_configured(settings: Settings, method: PaymentMethod) -> bool:
    """True when the credentials the method needs are set."""
    if method is PaymentMethod.severpay:
        return settings.sever_pay_api_key is not None and settings.sever_pay_mid is not None
    if method is PaymentMethod.cryptopay:
        return settings.crypto_pay_token is not None
    if method is PaymentMethod.xrocket:
        return settings.xrocket_pay_key is not None
    if method is PaymentMethod.stars:
        return settings.telegram_bot_token is not None
    return False


def api_url(settings: Settings, method: PaymentMethod) -> str:
    """The base URL the adapter talks to."""
    return {
        PaymentMethod.severpay: settings.sever_pay_api_url,
        PaymentMethod.cryptopay: settings.crypto_pay_api_url,
        PaymentMethod.xrocket: settings.xrocket_pay_api_url,
        PaymentMethod.stars: settings.telegram_api_url,
    }[method]


def is_sandbox(settings: Settings, method: PaymentMethod) -> bool:
    """Test money: SANDBOX_MODE, a provider testnet, or a local stand-in of the provider."""
    return settings.sandbox_mode or (urlparse(api_url(settings, method)).hostname or "") in _TEST_HOSTS


def build_provider(settings: Settings, method: PaymentMethod, http: httpx.AsyncClient) -> PaymentProvider:
    """The adapter for a configured method (ValueError when it is not configured)."""
    if not is_configured(settings, method):
        raise ValueError(f"{method.value} is not configured")
    if method is PaymentMethod.stars:
        assert settings.telegram_bot_token is not None
        return StarsClient(
            BotApiClient(settings.telegram_api_url, settings.telegram_bot_token.get_secret_value(), http)
        )
    return build_webhook_provider(settings, method, http)


def build_webhook_provider(
    settings: Settings, method: PaymentMethod, http: httpx.AsyncClient
) -> WebhookProvider:
    """The adapter of a provider that sends signed webhooks."""
    if method is PaymentMethod.cryptopay and settings.crypto_pay_token is not None:
        return CryptoPayClient(
            settings.crypto_pay_api_url, settings.crypto_pay_token.get_secret_value(), http
        )
    if method is PaymentMethod.xrocket and settings.xrocket_pay_key is not None:
        return XRocketPayClient(
            settings.xrocket_pay_api_url, settings.xrocket_pay_key.get_secret_value(), http
        )
    if (
        method is PaymentMethod.severpay
        and settings.sever_pay_api_key is not None
        and settings.sever_pay_mid is not None
    ):
        return SeverPayClient(
            settings.sever_pay_api_url,
            settings.sever_pay_mid,
            settings.sever_pay_api_key.get_secret_value(),
            http,
        )
    raise ValueError(f"{method.value} is not configured")
