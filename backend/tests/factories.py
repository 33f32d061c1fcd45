"""Factories that create rows directly: `await create_user(session, balance=...)`."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.passwords import hash_password
from app.kit.crypto import random_token
from app.kit.time import utcnow
from app.models import (
    AdminAccount,
    Location,
    Payment,
    Server,
    Subscription,
    Tariff,
    Ticket,
    TicketMessage,
    User,
)
from app.models.enums import (
    AdminRole,
    MessageAuthor,
    PanelType,
    PaymentMethod,
    PaymentStatus,
    SubscriptionStatus,
    TicketStatus,
)
from app.subscriptions.identity import panel_identity

_seq = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery staple"


@lru_cache
def _hash(password: str) -> str:
    # argon2 is deliberately slow; one hash per distinct password keeps the suite fast.
    return hash_password(password)


async def create_admin(
    session: AsyncSession, role: AdminRole = AdminRole.owner, password: str = DEFAULT_PASSWORD, **kw: Any
) -> AdminAccount:
    """A staff account with a known password."""
    n = next(_seq)
    admin = AdminAccount(
        username=kw.pop("username", f"{role.value}{n}"), password_hash=_hash(password), role=role, **kw
    )
    session.add(admin)
    await session.flush()
    return admin


async def create_user(session: AsyncSession, **kw: Any) -> User:
    """A Telegram customer."""
    n = next(_seq)
    user = User(
        telegram_id=kw.pop("telegram_id", 10_000_000 + n),
        username=kw.pop("username", f"user{n}"),
        first_name=kw.pop("first_name", f"Name{n}"),
        referral_code=kw.pop("referral_code", f"ref{n:05d}{uuid.uuid4().hex[:4]}"),
        sub_token=kw.pop("sub_token", random_token()),
        balance=kw.pop("balance", Decimal("0")),
        **kw,
    )
    session.add(user)
    await session.flush()
    return user


async def create_location(session: AsyncSession, **kw: Any) -> Location:
    """A location."""
    n = next(_seq)
    loc = Location(
        name=kw.pop("name", f"Location {n}"),
        country_code=kw.pop("country_code", "NL"),
        flag_emoji=kw.pop("flag_emoji", "🇳🇱"),
        **kw,
    )
    session.add(loc)
    await session.flush()
    return loc


async def create_tariff(session: AsyncSession, **kw: Any) -> Tariff:
    """A tariff (30 days, 49 RUB by default)."""
    n = next(_seq)
    tariff = Tariff(
        name=kw.pop("name", f"Plan {n}"),
        duration_days=kw.pop("duration_days", 30),
        price=kw.pop("price", Decimal("49.00")),
        currency="RUB",
        **kw,
    )
    session.add(tariff)
    await session.flush()
    return tariff


async def create_server(session: AsyncSession, location: Location | None = None, **kw: Any) -> Server:
    """A 3x-ui server (credentials encrypted by the column type)."""
    n = next(_seq)
    if location is None:
        location = await create_location(session)
    server = Server(
        location_id=location.id,
        name=kw.pop("name", f"srv-{n}"),
        panel_type=kw.pop("panel_type", PanelType.xui),
        panel_url=kw.pop("panel_url", "http://127.0.0.1:1/panel/"),
        username=kw.pop("username", "panel-admin"),
        password=kw.pop("password", "panel-password-secret"),
        settings=kw.pop("settings", {"inbound_ids": [1]}),
        **kw,
    )
    session.add(server)
    await session.flush()
    return server


async def create_payment(
    session: AsyncSession, user: User, amount: str | Decimal = "100", **kw: Any
) -> Payment:
    """A payment (a paid Crypto Pay top-up by default)."""
    status = kw.pop("status", PaymentStatus.paid)
    payment = Payment(
        user_id=user.id,
        amount=Decimal(str(amount)),
        status=status,
        method=kw.pop("method", PaymentMethod.cryptopay),
        provider_payment_id=kw.pop("provider_payment_id", f"inv-{next(_seq)}-{uuid.uuid4().hex[:8]}"),
        paid_at=kw.pop("paid_at", utcnow() if status == PaymentStatus.paid else None),
        **kw,
    )
    session.add(payment)
    await session.flush()
    return payment


async def create_ticket(
    session: AsyncSession, user: User, text: str = "It does not work", **kw: Any
) -> Ticket:
    """A ticket with the customer's first message."""
    now = kw.pop("last_message_at", utcnow())
    ticket = Ticket(
        user_id=user.id,
        subject=kw.pop("subject", f"Ticket {next(_seq)}"),
        status=kw.pop("status", TicketStatus.open),
        last_message_at=now,
        **kw,
    )
    session.add(ticket)
    await session.flush()
    session.add(TicketMessage(ticket_id=ticket.id, author=MessageAuthor.user, text=text, created_at=now))
    await session.flush()
    return ticket


async def login(client: AsyncClient, admin: AdminAccount, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
    """Log a staff account in; returns the token pair."""
    resp = await client.post("/api/v1/auth/login", json={"username": admin.username, "password": password})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def admin_headers(
    client: AsyncClient, session: AsyncSession, role: AdminRole = AdminRole.owner
) -> dict[str, str]:
    """Authorization headers of a new staff account with `role`."""
    admin = await create_admin(session, role)
    tokens = await login(client, admin)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def create_subscription(
    session: AsyncSession,
    user: User,
    location: Location | None = None,
    server: Server | None = None,
    **kw: Any,
) -> Subscription:
    """A subscription row (active for 30 days by default), without touching any panel."""
    if location is None:
        location = await create_location(session)
    sub_id = kw.pop("id", uuid.uuid4())
    now = utcnow()
    sub = Subscription(
        id=sub_id,
        user_id=user.id,
        location_id=location.id,
        server_id=server.id if server else kw.pop("server_id", None),
        status=kw.pop("status", SubscriptionStatus.active),
        starts_at=kw.pop("starts_at", now),
        ends_at=kw.pop("ends_at", now + timedelta(days=30)),
        duration_days=kw.pop("duration_days", 30),
        panel_identity=kw.pop("panel_identity", panel_identity(user.telegram_id, sub_id)),
        **kw,
    )
    session.add(sub)
    await session.flush()
    return sub
