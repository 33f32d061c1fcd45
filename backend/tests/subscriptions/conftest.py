"""Fixtures of the subscription tests: a location with one 3x-ui server (the fake) and queue helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.billing.ledger import change_balance
from app.config import Settings
from app.db import unit_of_work
from app.integrations.panels.factory import PanelPool
from app.models import Location, Server, Subscription
from app.models.enums import LedgerKind
from app.subscriptions.provisioning import provision_subscription
from app.subscriptions.service import create_pending_subscription
from fakes.xui import XuiFake
from tests.factories import create_location, create_tariff, create_user
from tests.panel_fakes import FAST, serving, worker_settings, xui_server

Sessions = async_sessionmaker[AsyncSession]


@dataclass
class World:
    """One location with one 3x-ui server (the fake), the panel pool and fast settings."""

    sessions: Sessions
    fake: XuiFake
    server: Server
    location_id: Any
    pool: PanelPool
    settings: Settings

    async def active(
        self, *, days: int = 30, price: str = "49.00", balance: str = "0", **tariff: Any
    ) -> Subscription:
        """A provisioned subscription (bought with a tariff) of a new customer."""
        async with unit_of_work(self.sessions) as s:
            user = await create_user(s)
            if Decimal(balance):
                await change_balance(
                    s, user.id, Decimal(balance), LedgerKind.topup, reference=f"seed:{user.id}"
                )
            t = await create_tariff(s, duration_days=days, price=Decimal(price), **tariff)
            sub = await create_pending_subscription(s, user, t, await self.location(s))
        assert await provision_subscription(self.sessions, self.settings, self.pool.get, sub.id) == "active"
        return await self.get(sub.id)

    async def location(self, session: AsyncSession) -> Location:
        location = await session.get(Location, self.location_id)
        assert location is not None
        return location

    async def get(self, sub_id: Any) -> Subscription:
        async with self.sessions() as s:
            sub = await s.get(Subscription, sub_id)
            assert sub is not None
            return sub

    def client(self, sub: Subscription) -> dict[str, Any]:
        [(_, client)] = self.fake.find(sub.panel_identity)
        return client


@pytest.fixture
async def world(committed_sessionmaker: Sessions) -> AsyncIterator[World]:
    fake = XuiFake(mode="v3.1", seed_foreign_client=True)
    pool = PanelPool(FAST)
    async with serving(fake) as url:
        async with unit_of_work(committed_sessionmaker) as s:
            location = await create_location(s)
            server = await xui_server(s, location, fake, url)
        yield World(committed_sessionmaker, fake, server, location.id, pool, worker_settings())
        await pool.aclose()


async def queued(redis: ArqRedis, function: str) -> list[tuple[Any, ...]]:
    """Arguments of the queued jobs of one function."""
    return [tuple(j.args) for j in await redis.queued_jobs() if j.function == function]


async def texts_queued(redis: ArqRedis) -> list[str]:
    """Keys of the queued customer notifications."""
    return [args[1] for args in await queued(redis, "notifications.send")]


def at(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=True)
