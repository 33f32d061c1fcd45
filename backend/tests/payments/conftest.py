"""Payment tests: the API served over real HTTP next to strict fakes of every provider and the Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.models import Payment
from fakes.cryptopay import CryptoPayFake
from fakes.server import BackgroundServer, free_port
from fakes.severpay import SeverPayFake
from fakes.telegram import BotApiEmulator
from fakes.xrocket import XRocketFake
from tests.conftest import _build_app, make_settings, run_worker_burst
from tests.money import books_balance, committed_sessionmaker

__all__ = ["books_balance", "committed_sessionmaker"]

CP_TOKEN = "1001:AAshop-cryptopay-token"
XR_KEY = "shop-xrocket-key-0123456789"
SP_TOKEN = "shop-severpay-token-0123456"
SP_MID = 7
BOT_TOKEN = "5005:shop-bot-token"
STAFF_CHAT = -100_500


@dataclass
class Shop:
    """The API on a loopback port with its providers, plus helpers to act as a customer."""

    settings: Settings
    url: str
    api: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    cryptopay: CryptoPayFake
    xrocket: XRocketFake
    severpay: SeverPayFake
    telegram: BotApiEmulator

    def webhook_url(self, provider: str) -> str:
        """Where a provider posts its notifications."""
        return f"{self.url}/api/v1/webhooks/payments/{provider}"

    async def work(self) -> Any:
        """Deliver pending webhooks, then run the worker until the queue is empty.

        Provisioning is left out: these tests check money, and their servers have no panel behind them
        (provisioning end to end is tested in tests/subscriptions).
        """
        for fake in (self.cryptopay, self.xrocket, self.severpay):
            await fake.webhooks.drain()
        return await run_worker_burst(self.settings, without=PANEL_JOBS)

    async def payment(self, payment_id: Any) -> Payment:
        """A payment read fresh."""
        async with self.sessions() as s:
            payment = await s.get(Payment, payment_id)
            assert payment is not None
            return payment


PANEL_JOBS = ("subscriptions.provision", "subscriptions.extend", "subscriptions.sync_client")


def shop_settings(**overrides: Any) -> Settings:
    """Settings with every provider configured (URLs filled in by the fixture)."""
    values: dict[str, Any] = {
        "crypto_pay_token": CP_TOKEN,
        "xrocket_pay_key": XR_KEY,
        "sever_pay_api_key": SP_TOKEN,
        "sever_pay_mid": SP_MID,
        "telegram_bot_token": BOT_TOKEN,
        "telegram_bot_username": "vpnshop_test_bot",
        "admin_chat_id": STAFF_CHAT,
        **overrides,
    }
    return make_settings(**values)


@pytest.fixture
async def shop(
    engine: AsyncEngine, redis: ArqRedis, committed_sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Shop]:
    """Everything running on loopback ports; the fakes' webhooks reach the API over HTTP."""
    api_port = free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    cryptopay = CryptoPayFake(CP_TOKEN, f"{api_url}/api/v1/webhooks/payments/cryptopay")
    xrocket = XRocketFake(XR_KEY, f"{api_url}/api/v1/webhooks/payments/xrocket")
    severpay = SeverPayFake(SP_MID, SP_TOKEN, f"{api_url}/api/v1/webhooks/payments/severpay")
    telegram = BotApiEmulator(BOT_TOKEN)
    servers = [BackgroundServer(f.app) for f in (cryptopay, xrocket, severpay, telegram)]
    cp_url, xr_url, sp_url, tg_url = [await s.start() for s in servers]
    settings = shop_settings(
        crypto_pay_api_url=cp_url,
        xrocket_pay_api_url=xr_url,
        sever_pay_api_url=sp_url,
        telegram_api_url=tg_url,
    )
    app = _build_app(settings, engine, redis)
    api_server = BackgroundServer(app, port=api_port)
    await api_server.start()
    try:
        async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
            yield Shop(settings, api_url, api, committed_sessionmaker, cryptopay, xrocket, severpay, telegram)
    finally:
        for fake in (cryptopay, xrocket, severpay):
            await fake.webhooks.drain()
        http = getattr(app.state, "http", None)
        if http is not None:
            await http.aclose()
        # uvicorn checks for shutdown every 0.1 s: stop them all at once.
        await asyncio.gather(api_server.stop(), *(s.stop() for s in servers))
