"""Expiry, reminders, auto-renewal, extension, pause, traffic and sweeping, with time frozen by time-machine."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from arq.connections import ArqRedis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import unit_of_work
from app.kit.time import utcnow
from app.models import BalanceLedger, Payment, Subscription, User
from app.models.enums import PaymentPurpose, PaymentStatus, SubscriptionStatus
from app.servers.online import server_online
from app.shop_settings.registry import set_value
from app.subscriptions import lifecycle
from app.subscriptions.errors import (
    SubscriptionIsForever,
    SubscriptionNotExtendable,
    SubscriptionStateConflict,
)
from app.subscriptions.provisioning import provision_subscription
from app.subscriptions.service import (
    create_pending_subscription,
    request_extension,
    set_auto_renew,
    set_enabled,
)
from app.subscriptions.settings import REMINDER_DAYS
from tests.factories import create_user
from tests.subscriptions.conftest import World, at, queued, texts_queued

Sessions = async_sessionmaker[AsyncSession]
GB = 1024**3


class TestExpiry:
    async def test_switch_off_then_delete_after_grace_then_renew(self, world: World, redis: ArqRedis) -> None:
        sub = await world.active(days=30)
        assert sub.ends_at is not None
        await redis.flushdb()
        with at(sub.ends_at - timedelta(minutes=1)):
            assert (await lifecycle.expire_due(world.sessions, world.pool.get))["expired"] == 0
        with at(sub.ends_at + timedelta(minutes=1)):
            result = await lifecycle.expire_due(world.sessions, world.pool.get)
            assert result == {"expired": 1, "switched_off": 1, "deleted": 0, "panel_errors": 0}
            assert await lifecycle.expire_due(world.sessions, world.pool.get) == {
                "expired": 0,
                "switched_off": 0,
                "deleted": 0,
                "panel_errors": 0,
            }
        expired = await world.get(sub.id)
        assert expired.status is SubscriptionStatus.expired and expired.disabled_on_panel_at is not None
        assert world.client(sub)["enable"] is False
        assert await texts_queued(redis) == ["subscription_expired"]
        # Three days of grace (the default) before the client is deleted from the panel.
        with at(sub.ends_at + timedelta(days=3, minutes=1)):
            assert (await lifecycle.expire_due(world.sessions, world.pool.get))["deleted"] == 1
        assert world.fake.find(sub.panel_identity) == []
        assert (await world.get(sub.id)).deleted_on_panel_at is not None
        # Renewing now provisions a new client under the same identity.
        with at(sub.ends_at + timedelta(days=5)):
            async with unit_of_work(world.sessions) as s:
                renewed = await request_extension(s, await s.get(Subscription, sub.id), 30)  # type: ignore[arg-type]
                assert renewed.status is SubscriptionStatus.pending
            assert (
                await provision_subscription(world.sessions, world.settings, world.pool.get, sub.id)
                == "active"
            )
            fresh = await world.get(sub.id)
            assert (
                fresh.ends_at is not None
                and abs((fresh.ends_at - (utcnow() + timedelta(days=30))).total_seconds()) < 60
            )
        assert world.client(sub)["enable"] is True

    async def test_renewal_in_grace_period_keeps_the_key(self, world: World) -> None:
        sub = await world.active(days=30)
        assert sub.ends_at is not None
        key = world.client(sub)["id"]
        with at(sub.ends_at + timedelta(hours=2)):
            await lifecycle.expire_due(world.sessions, world.pool.get)
            async with unit_of_work(world.sessions) as s:
                renewed = await request_extension(s, await s.get(Subscription, sub.id), 10)  # type: ignore[arg-type]
                assert renewed.status is SubscriptionStatus.active and renewed.disabled_on_panel_at is None
            assert await lifecycle.sync_client(world.sessions, world.pool.get, sub.id) == "synced"
            fresh = await world.get(sub.id)
            assert fresh.ends_at is not None and fresh.ends_at > utcnow() + timedelta(days=9)
        client = world.client(sub)
        assert client["enable"] is True and client["id"] == key
        assert abs(client["expiryTime"] / 1000 - fresh.ends_at.timestamp()) < 1

    async def test_renewal_racing_the_switch_off_wins(self, world: World) -> None:
        sub = await world.active(days=30)
        assert sub.ends_at is not None
        with at(sub.ends_at + timedelta(minutes=5)):
            async with unit_of_work(world.sessions) as s:
                await s.execute(
                    Subscription.__table__.update()
                    .where(Subscription.id == sub.id)
                    .values(status=SubscriptionStatus.expired)
                )
            async with unit_of_work(world.sessions) as s:
                # The renewal commits before the switch-off gets the row: nothing is switched off.
                await request_extension(s, await s.get(Subscription, sub.id), 30)  # type: ignore[arg-type]
            result = await lifecycle.expire_due(world.sessions, world.pool.get)
        assert result["switched_off"] == 0 and world.client(sub)["enable"] is True


class TestReminders:
    async def test_each_reminder_once_and_again_after_renewal(self, world: World, redis: ArqRedis) -> None:
        sub = await world.active(days=30)
        assert sub.ends_at is not None
        await redis.flushdb()
        with at(sub.ends_at - timedelta(days=5)):
            assert await lifecycle.send_reminders(world.sessions) == 0
        with at(sub.ends_at - timedelta(days=2, hours=23)):
            assert await lifecycle.send_reminders(world.sessions) == 1
            assert await lifecycle.send_reminders(world.sessions) == 0
        with at(sub.ends_at - timedelta(hours=20)):
            assert await lifecycle.send_reminders(world.sessions) == 1
            assert await lifecycle.send_reminders(world.sessions) == 0
        assert [args[2]["days"] for args in await queued(redis, "notifications.send")] == ["3", "1"]
        with at(sub.ends_at - timedelta(hours=10)):
            async with unit_of_work(world.sessions) as s:
                await request_extension(s, await s.get(Subscription, sub.id), 30, notify=False)  # type: ignore[arg-type]
            assert await lifecycle.send_reminders(world.sessions) == 0  # renewed: nothing due
        with at(sub.ends_at + timedelta(days=27, hours=1)):
            assert await lifecycle.send_reminders(world.sessions) == 1

    async def test_late_first_run_sends_only_the_closest_reminder(self, world: World) -> None:
        sub = await world.active(days=30)
        assert sub.ends_at is not None
        async with unit_of_work(world.sessions) as s:
            await set_value(s, REMINDER_DAYS, [7, 3, 1])
        with at(sub.ends_at - timedelta(hours=12)):
            assert await lifecycle.send_reminders(world.sessions) == 1
            assert await lifecycle.send_reminders(world.sessions) == 0
        fresh = await world.get(sub.id)
        assert fresh.reminded_days == 1 and fresh.reminded_for_ends_at == fresh.ends_at

    async def test_no_reminder_when_auto_renew_will_pay(self, world: World) -> None:
        sub = await world.active(days=30, balance="100")
        assert sub.ends_at is not None
        async with unit_of_work(world.sessions) as s:
            await set_auto_renew(s, await s.get(Subscription, sub.id), True)  # type: ignore[arg-type]
        with at(sub.ends_at - timedelta(days=2)):
            assert await lifecycle.send_reminders(world.sessions) == 0


class TestAutoRenew:
    async def test_renews_once_from_the_balance(self, world: World, redis: ArqRedis) -> None:
        sub = await world.active(days=30, price="49.00", balance="100")
        assert sub.ends_at is not None
        async with unit_of_work(world.sessions) as s:
            await set_auto_renew(s, await s.get(Subscription, sub.id), True)  # type: ignore[arg-type]
        with at(sub.ends_at - timedelta(days=2)):
            assert await lifecycle.auto_renew(world.sessions) == {}  # outside the 24 h window
        await redis.flushdb()
        with at(sub.ends_at - timedelta(hours=6)):
            results = await asyncio.gather(*(lifecycle.auto_renew(world.sessions) for _ in range(3)))
            assert sum(r.get("renewed", 0) for r in results) == 1
            assert await lifecycle.auto_renew(world.sessions) == {}
        fresh = await world.get(sub.id)
        assert fresh.ends_at == sub.ends_at + timedelta(days=30)
        async with world.sessions() as s:
            user = await s.get(User, sub.user_id)
            assert user is not None and user.balance == Decimal("51.00")
            assert user.balance == await s.scalar(
                select(func.sum(BalanceLedger.amount)).where(BalanceLedger.user_id == user.id)
            )
            payment = await s.scalar(select(Payment).where(Payment.subscription_id == sub.id))
            assert payment is not None and payment.purpose is PaymentPurpose.renewal
            assert payment.status is PaymentStatus.paid and payment.amount == Decimal("49.00")
        assert await texts_queued(redis) == ["subscription_auto_renewed"]
        assert list(await queued(redis, "subscriptions.extend")) == [(str(sub.id), 1)]

    async def test_not_enough_money_sends_one_top_up_reminder(self, world: World, redis: ArqRedis) -> None:
        sub = await world.active(days=30, price="49.00", balance="10")
        assert sub.ends_at is not None
        async with unit_of_work(world.sessions) as s:
            await set_auto_renew(s, await s.get(Subscription, sub.id), True)  # type: ignore[arg-type]
        await redis.flushdb()
        with at(sub.ends_at - timedelta(hours=6)):
            assert await lifecycle.auto_renew(world.sessions) == {"no money": 1}
            assert await lifecycle.auto_renew(world.sessions) == {"no money": 1}
        assert await texts_queued(redis) == ["auto_renew_no_money"]
        [args] = await queued(redis, "notifications.send")
        assert args[2]["missing"] == "39 ₽"
        fresh = await world.get(sub.id)
        assert fresh.ends_at == sub.ends_at and fresh.auto_renew_notice_for_ends_at == sub.ends_at

    async def test_trials_cannot_auto_renew(self, world: World) -> None:
        from app.subscriptions.errors import AutoRenewUnavailable

        async with unit_of_work(world.sessions) as s:
            user = await create_user(s)
            location = await world.location(s)
            trial = await create_pending_subscription(s, user, None, location, is_trial=True, duration_days=3)
            with pytest.raises(AutoRenewUnavailable):
                await set_auto_renew(s, trial, True)


class TestExtendAndPause:
    async def test_extension_rules(self, world: World) -> None:
        async with unit_of_work(world.sessions) as s:
            location = await world.location(s)
            user = await create_user(s)
            pending = await create_pending_subscription(s, user, None, location, duration_days=10)
            await request_extension(s, pending, 5)
            assert pending.duration_days == 15 and pending.ends_at is None
            forever = await create_pending_subscription(s, user, None, location, duration_days=None)
            with pytest.raises(SubscriptionIsForever):
                await request_extension(s, forever, 5)
            forever.status = SubscriptionStatus.failed
            await s.flush()
            with pytest.raises(SubscriptionNotExtendable):
                await request_extension(s, forever, 5)
        assert (
            await provision_subscription(world.sessions, world.settings, world.pool.get, pending.id)
            == "active"
        )
        fresh = await world.get(pending.id)
        assert fresh.ends_at == fresh.starts_at + timedelta(days=15)  # type: ignore[operator]

    async def test_pause_and_resume_follow_on_the_panel(self, world: World, redis: ArqRedis) -> None:
        sub = await world.active()
        await redis.flushdb()
        async with unit_of_work(world.sessions) as s:
            await set_enabled(s, await s.get(Subscription, sub.id), False)  # type: ignore[arg-type]
        assert await lifecycle.sync_client(world.sessions, world.pool.get, sub.id) == "synced"
        assert world.client(sub)["enable"] is False
        assert (await world.get(sub.id)).disabled_on_panel_at is not None
        async with unit_of_work(world.sessions) as s:
            await set_enabled(s, await s.get(Subscription, sub.id), True)  # type: ignore[arg-type]
        await lifecycle.sync_client(world.sessions, world.pool.get, sub.id)
        assert world.client(sub)["enable"] is True
        assert await texts_queued(redis) == ["subscription_disabled", "subscription_enabled"]
        assert sub.ends_at is not None
        with at(sub.ends_at + timedelta(minutes=1)):
            await lifecycle.expire_due(world.sessions, world.pool.get)
            async with unit_of_work(world.sessions) as s:
                with pytest.raises(SubscriptionStateConflict, match="extend it instead"):
                    await set_enabled(s, await s.get(Subscription, sub.id), True)  # type: ignore[arg-type]

    async def test_client_deleted_by_hand_is_put_back(self, world: World) -> None:
        sub = await world.active()
        for inbound_id, client in world.fake.find(sub.panel_identity):
            world.fake._inbound(inbound_id)["settings"]["clients"].remove(client)  # type: ignore[index]
        assert await lifecycle.sync_client(world.sessions, world.pool.get, sub.id) == "recreated"
        fresh = await world.get(sub.id)
        assert fresh.panel_credential == world.client(sub)["id"] != sub.panel_credential
        assert fresh.share_links and fresh.panel_credential in fresh.share_links

    async def test_unreachable_panel_is_a_technical_outcome(self, world: World) -> None:
        sub = await world.active()
        world.fake.faults.fail_all = True
        assert await lifecycle.sync_client(world.sessions, world.pool.get, sub.id) == lifecycle.TECHNICAL
        assert await lifecycle.cleanup_client(
            world.sessions, world.pool.get, world.server.id, "u1_0000000000"
        ) == (lifecycle.TECHNICAL)


class TestTraffic:
    async def test_traffic_sync_marks_used_up_quota_once(self, world: World, redis: ArqRedis) -> None:
        sub = await world.active(traffic_limit_gb=1)
        world.fake.add_traffic(sub.panel_identity, up=100, down=400)
        world.fake.online.add(sub.panel_identity)
        await redis.flushdb()
        result = await lifecycle.sync_traffic(world.sessions, redis, world.pool.get)
        assert result == {"servers": 1, "updated": 1, "exhausted": 0, "errors": 0}
        assert (await world.get(sub.id)).traffic_used_bytes == 500
        online = await server_online(redis, world.server.id)
        assert online is not None and online["online"] == 1 and online["clients"] == 2
        world.fake.add_traffic(sub.panel_identity, up=0, down=GB)
        assert (await lifecycle.sync_traffic(world.sessions, redis, world.pool.get))["exhausted"] == 1
        assert (await lifecycle.sync_traffic(world.sessions, redis, world.pool.get))["exhausted"] == 0
        assert (await world.get(sub.id)).quota_exhausted_at is not None
        assert await texts_queued(redis) == ["subscription_traffic_exhausted"]
        world.fake.stats[sub.panel_identity.lower()].down = 0
        world.fake.stats[sub.panel_identity.lower()].up = 0
        await lifecycle.sync_traffic(world.sessions, redis, world.pool.get)
        assert (await world.get(sub.id)).quota_exhausted_at is None

    async def test_unreachable_panel_is_counted(self, world: World, redis: ArqRedis) -> None:
        world.fake.faults.fail_all = True
        assert (await lifecycle.sync_traffic(world.sessions, redis, world.pool.get))["errors"] == 1


class TestSweeper:
    async def test_lost_provisioning_job_is_queued_again(self, world: World, redis: ArqRedis) -> None:
        async with unit_of_work(world.sessions) as s:
            location = await world.location(s)
            sub = await create_pending_subscription(s, await create_user(s), None, location, duration_days=3)
        await redis.flushdb()  # the job is lost (Redis restarted without persistence)
        assert await lifecycle.sweep_pending(world.sessions) == 0
        with at(utcnow() + timedelta(minutes=16)):
            assert await lifecycle.sweep_pending(world.sessions) == 1
        assert await queued(redis, "subscriptions.provision") == [(str(sub.id), None)]


class TestJobsInTheWorker:
    async def test_every_lifecycle_job_runs_in_the_worker(self, world: World, redis: ArqRedis) -> None:
        from app.subscriptions import reconcile
        from tests.conftest import run_worker_burst

        sub = await world.active()
        await redis.flushdb()
        for n, name in enumerate(
            [
                "subscriptions.expire",
                "subscriptions.remind",
                "subscriptions.auto_renew",
                "subscriptions.sync_traffic",
                "subscriptions.sweep_pending",
                "subscriptions.reconcile",
            ]
        ):
            await redis.enqueue_job(name, _job_id=f"once-{n}")
        await redis.enqueue_job("subscriptions.extend", str(sub.id), 1, _job_id="extend-once")
        await redis.enqueue_job(
            "subscriptions.cleanup_client", str(world.server.id), "u1_00000000ff", 1, _job_id="cleanup-once"
        )
        worker = await run_worker_burst(world.settings)
        assert worker.jobs_failed == 0 and worker.jobs_complete == 8
        report = await reconcile.load_report(redis)
        assert report.generated_at is not None and [i.identity for i in report.items] == ["owner-phone"]

    async def test_unreachable_panel_sync_retries_then_gives_up(self, world: World, redis: ArqRedis) -> None:
        from tests.conftest import run_worker_burst

        sub = await world.active()
        await redis.flushdb()
        world.fake.faults.fail_all = True
        await redis.enqueue_job("subscriptions.sync_client", str(sub.id), 1, _job_id="sync-down")
        worker = await run_worker_burst(world.settings)
        assert worker.jobs_complete == 5 and worker.jobs_failed == 0  # 5 attempts, then reconcile's turn
