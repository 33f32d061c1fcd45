"""Provisioning end to end through the real worker and Redis against the panel fakes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.billing.ledger import change_balance
from app.db import unit_of_work
from app.integrations.panels.base import ClientSpec
from app.integrations.panels.factory import PanelPool
from app.kit.time import utcnow
from app.models import BalanceLedger, Location, Server, Subscription, Tariff, User
from app.models.enums import LedgerKind, SubscriptionStatus
from app.purchases.schemas import PurchaseCreate
from app.purchases.service import purchase
from app.servers.panels import panel_config
from app.subscriptions.provisioning import provision_subscription, refund_subscription
from app.subscriptions.service import create_pending_subscription, start_trial
from fakes.marzban import MarzbanFake
from fakes.server import BackgroundServer
from fakes.telegram import BotApiEmulator
from fakes.xui import XuiFake
from tests.conftest import make_settings, run_worker_burst
from tests.factories import create_location, create_server, create_tariff, create_user
from tests.panel_fakes import (
    ADMIN_CHAT,
    BOT_TOKEN,
    FAST,
    adapter,
    marzban_config,
    marzban_server,
    serving,
    worker_settings,
    xui_config,
    xui_server,
)

Sessions = async_sessionmaker[AsyncSession]
GB = 1024**3


@pytest.fixture
async def bot() -> AsyncIterator[tuple[BotApiEmulator, str]]:
    emu = BotApiEmulator(BOT_TOKEN)
    async with BackgroundServer(emu.app) as url:
        yield emu, url


def bot_settings(url: str, **kw: object) -> object:
    return worker_settings(telegram_bot_token=BOT_TOKEN, telegram_api_url=url, admin_chat_id=ADMIN_CHAT, **kw)


async def funded_user(s: AsyncSession, amount: str = "100") -> User:
    user = await create_user(s)
    await change_balance(s, user.id, Decimal(amount), LedgerKind.topup, reference=f"seed:{user.id}")
    return user


async def buy(s: AsyncSession, user: User, tariff: Tariff, location: Location) -> Subscription:
    """A real purchase from the balance: the order, the debit and the pending subscription in one transaction."""
    async with httpx.AsyncClient() as http:
        result = await purchase(
            s, make_settings(), http, user, PurchaseCreate(tariff_id=tariff.id, location_id=location.id)
        )
    assert result.subscription is not None
    sub = await s.get(Subscription, result.subscription.id)
    assert sub is not None
    return sub


async def reload(sessions: Sessions, model: type, key: object) -> object:
    async with sessions() as s:
        return await s.get(model, key)


async def ledger_matches_balance(sessions: Sessions, user_id: object) -> Decimal:
    async with sessions() as s:
        user = await s.get(User, user_id)
        total = await s.scalar(select(func.sum(BalanceLedger.amount)).where(BalanceLedger.user_id == user_id))
        assert user is not None and user.balance == total
        return user.balance


class TestProvisioning:
    @pytest.mark.parametrize("mode", ["legacy", "v3.0", "v3.1"])
    async def test_end_to_end_on_3xui(
        self, mode: str, committed_sessionmaker: Sessions, bot: tuple[BotApiEmulator, str]
    ) -> None:
        emu, bot_url = bot
        fake = XuiFake(mode=mode, base_path="/s3cr3t/", seed_foreign_client=True)  # type: ignore[arg-type]
        async with serving(fake) as url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s, name="Netherlands", flag_emoji="🇳🇱")
                server = await xui_server(s, location, fake, url)
                tariff = await create_tariff(s, duration_days=30, traffic_limit_gb=10, device_limit=2)
                user = await funded_user(s)
                sub = await buy(s, user, tariff, location)
            worker = await run_worker_burst(bot_settings(bot_url))
        assert worker.jobs_failed == 0
        fresh = await reload(committed_sessionmaker, Subscription, sub.id)
        assert isinstance(fresh, Subscription)
        assert fresh.status is SubscriptionStatus.active and fresh.server_id == server.id
        assert fresh.starts_at is not None and fresh.ends_at == fresh.starts_at + timedelta(days=30)
        [(_, client)] = fake.find(fresh.panel_identity)
        assert client["id"] == fresh.panel_credential and client["subId"] == fresh.panel_sub_id
        assert client["totalGB"] == 10 * GB and client["limitIp"] == 2
        assert abs(client["expiryTime"] / 1000 - fresh.ends_at.timestamp()) < 1
        assert fresh.config_url == f"https://vpn.example.com:2096/sub/{fresh.panel_sub_id}"
        assert fresh.share_links and fresh.share_links.startswith("vless://")
        srv = await reload(committed_sessionmaker, Server, server.id)
        assert isinstance(srv, Server) and srv.api_generation == mode
        message = emu.last_to(user.telegram_id)
        assert message.method == "sendPhoto" and message.photo is not None
        assert message.text is not None and f"https://shop.test/sub/{user.sub_token}" in message.text
        assert "Netherlands" in message.text and "Android" in message.text

    async def test_end_to_end_on_marzban(self, committed_sessionmaker: Sessions) -> None:
        fake = MarzbanFake()
        async with serving(fake) as url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s)
                await marzban_server(s, location, fake, url)
                tariff = await create_tariff(s, duration_days=90, traffic_limit_gb=None)
                sub = await buy(s, await funded_user(s), tariff, location)
            await run_worker_burst(worker_settings())
        fresh = await reload(committed_sessionmaker, Subscription, sub.id)
        assert isinstance(fresh, Subscription) and fresh.status is SubscriptionStatus.active
        user = fake.user(fresh.panel_identity)
        assert user is not None and user["data_limit"] is None
        assert user["expire"] == int(fresh.ends_at.timestamp())  # type: ignore[union-attr]
        assert fresh.config_url is not None and fresh.config_url.startswith(f"{url}/sub/")
        assert fresh.share_links == "\n".join(fake._links(user))

    async def test_client_left_by_a_crashed_attempt_is_adopted(
        self, committed_sessionmaker: Sessions
    ) -> None:
        fake = XuiFake(mode="v3.1")
        async with serving(fake) as url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s)
                server = await xui_server(s, location, fake, url)
                sub = await buy(s, await funded_user(s), await create_tariff(s), location)
                config = panel_config(server)
            # An earlier attempt created the client and died before it could record it.
            async with adapter(config) as panel:
                earlier = await panel.create_client(
                    ClientSpec(sub.panel_identity, utcnow() + timedelta(days=1), None, None)
                )
            await run_worker_burst(worker_settings())
        fresh = await reload(committed_sessionmaker, Subscription, sub.id)
        assert isinstance(fresh, Subscription) and fresh.status is SubscriptionStatus.active
        [(_, client)] = fake.find(sub.panel_identity)
        assert fresh.panel_credential == earlier.credential == client["id"]
        assert abs(client["expiryTime"] / 1000 - fresh.ends_at.timestamp()) < 1  # type: ignore[union-attr]

    async def test_two_runs_at_once_create_one_client(
        self, committed_sessionmaker: Sessions, bot: tuple[BotApiEmulator, str]
    ) -> None:
        emu, bot_url = bot
        fake = XuiFake(mode="legacy", seed_foreign_client=True)
        fake.faults.latency = 0.05
        settings = bot_settings(bot_url)
        async with serving(fake) as url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s)
                await xui_server(s, location, fake, url)
                user = await funded_user(s)
                sub = await buy(s, user, await create_tariff(s), location)
            pool = PanelPool(FAST)
            try:
                outcomes = await asyncio.gather(
                    *(
                        provision_subscription(committed_sessionmaker, settings, pool.get, sub.id)
                        for _ in range(3)
                    )
                )
            finally:
                await pool.aclose()
            await run_worker_burst(settings)  # the queued job finds it active; notifications go out
        assert outcomes.count("active") == 1
        assert len(fake.find(sub.panel_identity)) == 1
        fresh = await reload(committed_sessionmaker, Subscription, sub.id)
        assert isinstance(fresh, Subscription) and fresh.status is SubscriptionStatus.active
        assert len(emu.messages_to(user.telegram_id)) == 1

    async def test_technical_failure_fails_over_to_another_server(
        self, committed_sessionmaker: Sessions
    ) -> None:
        broken, healthy = XuiFake(mode="v3.1"), XuiFake(mode="v3.1")
        broken.faults.fail_all = True
        async with serving(broken) as broken_url, serving(healthy) as healthy_url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s)
                a = await xui_server(s, location, broken, broken_url, name="srv-a")
                b = await xui_server(s, location, healthy, healthy_url, name="srv-b")
                sub = await buy(s, await funded_user(s), await create_tariff(s), location)
            worker = await run_worker_burst(worker_settings())
        fresh = await reload(committed_sessionmaker, Subscription, sub.id)
        assert isinstance(fresh, Subscription)
        assert fresh.status is SubscriptionStatus.active and fresh.server_id == b.id != a.id
        assert fresh.provision_attempts == 2 and fresh.last_error is None
        assert len(healthy.find(sub.panel_identity)) == 1
        assert worker.jobs_failed == 0

    async def test_final_failure_refunds_the_purchase_once(
        self, committed_sessionmaker: Sessions, bot: tuple[BotApiEmulator, str]
    ) -> None:
        emu, bot_url = bot
        fake = XuiFake(mode="v3.1")
        fake.faults.fail_all = True
        async with serving(fake) as url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s, name="Germany")
                await xui_server(s, location, fake, url)
                user = await funded_user(s, "100")
                sub = await buy(s, user, await create_tariff(s, price=Decimal("49.00")), location)
            assert await ledger_matches_balance(committed_sessionmaker, user.id) == Decimal("51.00")
            await run_worker_burst(bot_settings(bot_url, provision_max_attempts=3))
        fresh = await reload(committed_sessionmaker, Subscription, sub.id)
        assert isinstance(fresh, Subscription) and fresh.status is SubscriptionStatus.failed
        assert fresh.provision_attempts == 3 and "HTTP 500" in (fresh.last_error or "")
        assert await ledger_matches_balance(committed_sessionmaker, user.id) == Decimal("100.00")
        async with committed_sessionmaker() as s:
            kinds = (
                await s.scalars(
                    select(BalanceLedger.kind)
                    .where(BalanceLedger.user_id == user.id)
                    .order_by(BalanceLedger.created_at)
                )
            ).all()
            assert kinds == [LedgerKind.topup, LedgerKind.purchase, LedgerKind.refund]
            again = await s.get(Subscription, sub.id)
            assert again is not None and await refund_subscription(s, again) == 0  # nothing left to refund
        text = emu.last_to(user.telegram_id).text or ""
        assert "49 ₽" in text and "Germany" in text
        alert = emu.last_to(ADMIN_CHAT).text or ""
        assert str(sub.id) in alert and "49 ₽" in alert

    async def test_panel_rejection_without_another_server_fails_at_once(
        self, committed_sessionmaker: Sessions
    ) -> None:
        fake = XuiFake(mode="v3.1")
        async with serving(fake) as url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s)
                await xui_server(s, location, fake, url, settings={"inbound_ids": [99]})
                user = await funded_user(s)
                trial = await start_trial(s, user)
            await run_worker_burst(worker_settings())
        fresh = await reload(committed_sessionmaker, Subscription, trial.id)
        assert isinstance(fresh, Subscription) and fresh.status is SubscriptionStatus.failed
        assert fresh.provision_attempts == 1 and "inbound" in (fresh.last_error or "")
        again = await reload(committed_sessionmaker, User, user.id)
        assert isinstance(again, User) and again.trial_used_at is None  # a failed trial can be tried again
        assert await ledger_matches_balance(committed_sessionmaker, user.id) == Decimal("100.00")

    async def test_marzban_rejection_fails_over(self, committed_sessionmaker: Sessions) -> None:
        bad, good = MarzbanFake(), MarzbanFake()
        async with serving(bad) as bad_url, serving(good) as good_url:
            async with unit_of_work(committed_sessionmaker) as s:
                location = await create_location(s)
                await marzban_server(
                    s,
                    location,
                    bad,
                    bad_url,
                    name="m-a",
                    settings={"proxies": {"vless": {}}, "inbounds": {"vless": ["GONE"]}},
                )
                b = await marzban_server(s, location, good, good_url, name="m-b")
                sub = await buy(s, await funded_user(s), await create_tariff(s), location)
            await run_worker_burst(worker_settings())
        fresh = await reload(committed_sessionmaker, Subscription, sub.id)
        assert (
            isinstance(fresh, Subscription)
            and fresh.status is SubscriptionStatus.active
            and fresh.server_id == b.id
        )
        assert bad.users == {} and good.user(sub.panel_identity) is not None


class TestIdentity:
    async def test_identity_is_valid_on_both_panels(self, session: AsyncSession) -> None:
        from app.subscriptions.identity import is_shop_identity, panel_identity

        location = await create_location(session)
        await create_server(session, location)
        user = await create_user(session, telegram_id=9_999_999_999_999)
        sub = await create_pending_subscription(session, user, await create_tariff(session), location)
        assert sub.panel_identity == panel_identity(user.telegram_id, sub.id) == sub.panel_identity.lower()
        assert len(sub.panel_identity) <= 32 and is_shop_identity(sub.panel_identity)
        assert not is_shop_identity("alice") and not is_shop_identity("u12_abc")
        fake = MarzbanFake()
        async with serving(fake) as url, adapter(marzban_config(url, fake)) as panel:
            await panel.create_client(ClientSpec(sub.panel_identity, None, None, None))
        xfake = XuiFake(mode="v3.1")
        async with serving(xfake) as url, adapter(xui_config(url, xfake)) as panel:
            await panel.create_client(ClientSpec(sub.panel_identity, None, None, None))
