"""The dashboard's answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from app.kit.money import Money
from app.models.enums import ServerHealth


class UserStats(BaseModel):
    """Customers."""

    total: int
    new_today: int
    new_7_days: int
    new_30_days: int
    blocked: int
    bot_blocked: int = Field(description="customers who blocked the bot")


class SubscriptionStats(BaseModel):
    """Subscriptions now."""

    active: int
    active_trials: int
    expiring_7_days: int = Field(description="active subscriptions ending within 7 days")


class TrialStats(BaseModel):
    """Trials, and how many of the last 30 days' trials turned into paying customers."""

    used: int = Field(description="customers who ever took the trial")
    started_30_days: int = Field(description="trials started in the last 30 days")
    converted_30_days: int = Field(description="of those, customers who paid after their trial")
    conversion_percent: float = Field(description="converted_30_days / started_30_days, in percent")


class RevenueWindow(BaseModel):
    """Money received from payment providers in a window (RUB)."""

    total: Money
    payments: int
    by_method: dict[str, Money]


class RevenueStats(BaseModel):
    """Revenue of today, the last 7 and the last 30 days (today included, in the shop's time zone)."""

    today: RevenueWindow
    last_7_days: RevenueWindow
    last_30_days: RevenueWindow


class DayStats(BaseModel):
    """One day in the shop's time zone."""

    date: date
    revenue: Money
    payments: int
    new_users: int


class ServerLoad(BaseModel):
    """A server's health and load."""

    id: uuid.UUID
    name: str
    location_name: str
    health: ServerHealth
    is_active: bool
    active_users: int = Field(description="active and pending subscriptions on it")
    max_users: int
    load_percent: float
    last_check_at: datetime | None
    last_latency_ms: int | None


class ServerStats(BaseModel):
    """Servers by health, each with its load."""

    up: int
    down: int
    unknown: int
    items: list[ServerLoad]


class Dashboard(BaseModel):
    """Everything on the dashboard."""

    generated_at: datetime
    timezone: str
    users: UserStats
    subscriptions: SubscriptionStats
    trials: TrialStats
    revenue: RevenueStats
    days: list[DayStats] = Field(description="the last 30 days, oldest first, days without data as zeros")
    servers: ServerStats
