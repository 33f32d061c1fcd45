"""Benchmark of the admin panel's heavy reads on a shop with 100k customers and 500k payments.

    bash infra/local/services.sh start bench && source .data/bench/services.env
    cd backend && DATABASE_URL=$LOCAL_DATABASE_URL REDIS_URL=$LOCAL_REDIS_URL \
        .venv/bin/python ../bench/admin_queries.py [--users 100000 --payments 500000]

Seeds the database with SQL (a minute or so), then times the dashboard (uncached), customer search,
the support queue, a segment count and freezing a broadcast's recipients. Prints a table of medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.broadcasts import repository as broadcasts
from app.broadcasts.schemas import Segment, SegmentKind
from app.config import Settings
from app.dashboard.service import build
from app.db import create_engine, create_sessionmaker
from app.kit.crypto import configure_encryption
from app.kit.pagination import PageParams, apply_sort, paginate, paginate_rows
from app.models import Broadcast, Ticket, User
from app.support import repository as tickets
from app.users import admin_repository as users

SEED = """
INSERT INTO locations (name, country_code, flag_emoji) SELECT 'Bench ' || i, 'NL', '' FROM generate_series(1, 5) i;
INSERT INTO servers (location_id, name, panel_type, panel_url, max_users, health)
  SELECT (SELECT id FROM locations ORDER BY name OFFSET (i % 5) LIMIT 1), 'bench-' || i, '3x-ui',
         'http://127.0.0.1:1/', 5000, CASE WHEN i % 7 = 0 THEN 'down' ELSE 'ok' END::server_health
  FROM generate_series(1, 20) i;
INSERT INTO users (telegram_id, username, first_name, last_name, language, referral_code, sub_token,
                   created_at, trial_used_at, is_blocked, bot_blocked, balance)
  SELECT 1000000 + i, 'user_' || md5(i::text), (ARRAY['Иван','Мария','Alex','Олег','Anna'])[1 + i % 5],
         'Фамилия' || (i % 1000), CASE WHEN i % 4 = 0 THEN 'en' ELSE 'ru' END, 'r' || i, 's' || i,
         now() - (i % 365) * interval '1 day' - (i % 86400) * interval '1 second',
         CASE WHEN i % 3 = 0 THEN now() - (i % 300) * interval '1 day' END,
         i % 500 = 0, i % 50 = 0, (i % 1000)::numeric
  FROM generate_series(1, :users) i;
INSERT INTO payments (user_id, amount, status, method, purpose, provider_payment_id, paid_at, created_at)
  SELECT u.id, 49 + (i % 7) * 40,
         (ARRAY['paid','paid','paid','paid','pending','expired','refunded'])[1 + i % 7]::payment_status,
         (ARRAY['severpay','cryptopay','xrocket','stars','balance','admin'])[1 + i % 6]::payment_method,
         'topup', 'bench-' || i,
         now() - (i % 365) * interval '1 day' - (i % 3600) * interval '1 second',
         now() - (i % 365) * interval '1 day' - (i % 3600) * interval '1 second' - interval '1 minute'
  FROM generate_series(1, :payments) i
  JOIN users u ON u.telegram_id = 1000000 + 1 + (i::bigint * 7919) % :users;
INSERT INTO subscriptions (user_id, location_id, server_id, status, is_trial, starts_at, ends_at, panel_identity)
  SELECT u.id, s.location_id, s.id,
         (ARRAY['active','active','expired','disabled'])[1 + i % 4]::subscription_status, i % 5 = 0,
         now() - interval '20 days', now() + ((i % 60) - 20) * interval '1 day', 'bench-' || i
  FROM generate_series(1, :users * 6 / 10) i
  JOIN users u ON u.telegram_id = 1000000 + 1 + (i::bigint * 104729) % :users
  JOIN servers s ON s.name = 'bench-' || (1 + i % 20);
INSERT INTO tickets (user_id, subject, status, last_message_at)
  SELECT u.id, 'Вопрос ' || i, (ARRAY['open','answered','closed','closed'])[1 + i % 4]::ticket_status,
         now() - (i % 1000) * interval '1 hour'
  FROM generate_series(1, 20000) i JOIN users u ON u.telegram_id = 1000000 + 1 + (i * 31) % :users;
INSERT INTO ticket_messages (ticket_id, author, text, created_at)
  SELECT id, 'user', 'Не работает', last_message_at FROM tickets;
"""


def migrate(url: str) -> None:
    cfg = Config(str(Path(__file__).resolve().parents[1] / "backend" / "alembic.ini"))
    cfg.set_main_option(
        "script_location", str(Path(__file__).resolve().parents[1] / "backend" / "migrations")
    )
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


async def timed(runs: int, fn: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-seed", action="store_true", help="reuse the data of a previous run")
    args = parser.parse_args()
    settings = Settings(
        jwt_secret_key="bench-" * 8,
        secret_key="bench-" * 8,
        bot_service_token="bench-" * 8,  # type: ignore[arg-type]
    )
    configure_encryption(settings.secret_key.get_secret_value())
    if not args.no_seed:
        await seed(settings, args.users, args.payments)
    engine = create_engine(settings)
    await report(engine, args.runs)


async def seed(settings: Settings, users: int, payments: int) -> None:
    """A fresh schema filled by SQL."""
    seeder = create_engine(settings.model_copy(update={"database_statement_timeout_ms": 900_000}))
    async with seeder.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await asyncio.to_thread(migrate, settings.database_url)
    start = time.perf_counter()
    async with seeder.begin() as conn:
        for statement in filter(None, (s.strip() for s in SEED.split(";\n"))):
            await conn.execute(text(statement), {"users": users, "payments": payments})
    print(f"seeded {users} users, {payments} payments in {time.perf_counter() - start:.1f} s")
    # Measure the steady state: visibility maps set, GIN pending lists merged (as autovacuum would).
    async with seeder.connect() as raw:
        autocommit = await raw.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))
    await seeder.dispose()


async def report(engine: AsyncEngine, runs: int) -> None:
    """Time each query and print a table."""

    sessions = create_sessionmaker(engine)
    page = PageParams(page=1, size=20)

    async def run(fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async with sessions() as session:
            return await fn(session)

    async def search(q: str | None, **filters: Any) -> Any:
        stmt = apply_sort(
            users.list_users(q=q, **filters), None, {}, [User.created_at.desc(), User.id.desc()]
        )
        return await run(lambda s: paginate(s, stmt, page))

    async def queue() -> Any:
        stmt = tickets.queue(statuses=None).order_by(Ticket.last_message_at.desc(), Ticket.id.desc())
        return await run(lambda s: paginate_rows(s, stmt, page))

    async def freeze() -> Any:
        async with sessions() as s:
            b = Broadcast(text="x", segment={"kind": "all"})
            s.add(b)
            await s.flush()
            n = await broadcasts.freeze_recipients(s, b.id, Segment())
            await s.rollback()
            return n

    cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("dashboard (uncached, 6 queries)", lambda: run(build)),
        ("users: search by @username part", lambda: search("ab12c")),
        ("users: search by name (Cyrillic)", lambda: search("фамилия12")),
        ("users: search by telegram id", lambda: search("1054321")),
        ("users: has active subscription", lambda: search(None, has_active=True)),
        ("users: page 1, newest first", lambda: search(None)),
        ("tickets: staff queue page", queue),
        (
            "broadcast: count 'expired' segment",
            lambda: run(lambda s: broadcasts.count_recipients(s, Segment(kind=SegmentKind.expired))),
        ),
        ("broadcast: freeze 'all' recipients", freeze),
    ]
    print("| query | median ms | max ms | runs |\n|---|---:|---:|---:|")
    for name, fn in cases:
        n = 3 if name.startswith("broadcast: freeze") else runs
        median, worst = await timed(n, fn)
        print(f"| {name} | {median:.1f} | {worst:.1f} | {n} |")
    await engine.dispose()


if __name__ == "__main__":
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL (and REDIS_URL) to a throwaway database: this drops its schema")
    asyncio.run(main())
