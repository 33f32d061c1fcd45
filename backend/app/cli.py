"""Operator commands: `python -m app.cli bootstrap-admin | seed-demo | check-config | migrate | rotate-encryption`."""

from __future__ import annotations

import argparse
import asyncio
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin_auth.service import bootstrap_owner
from app.config import Settings, load_settings_or_exit
from app.db import create_engine, create_sessionmaker, unit_of_work
from app.kit.crypto import configure_encryption
from app.logging import configure_logging
from app.models import Location, Tariff
from app.ops.encryption import UndecryptableValue, rotate_encryption
from app.ops.migrations import upgrade_to_head

DEMO_LOCATIONS = [
    ("USA", "US", "🇺🇸"),
    ("Netherlands", "NL", "🇳🇱"),
    ("Germany", "DE", "🇩🇪"),
    ("Singapore", "SG", "🇸🇬"),
]
DEMO_TARIFFS = [
    ("1 месяц", 30, Decimal("49")),
    ("3 месяца", 90, Decimal("129")),
    ("6 месяцев", 180, Decimal("249")),
    ("Навсегда", None, Decimal("599")),
]


async def seed_demo(session: AsyncSession) -> int:
    """Add the demo catalog where it is missing; returns how many rows were added."""
    added = 0
    for order, (name, code, flag) in enumerate(DEMO_LOCATIONS):
        exists = await session.scalar(select(Location.id).where(func.lower(Location.name) == name.lower()))
        if exists is None:
            session.add(Location(name=name, country_code=code, flag_emoji=flag, sort_order=order))
            added += 1
    for order, (name, days, price) in enumerate(DEMO_TARIFFS):
        exists = await session.scalar(
            select(Tariff.id).where(Tariff.name == name, Tariff.location_id.is_(None))
        )
        if exists is None:
            session.add(
                Tariff(
                    name=name,
                    duration_days=days,
                    price=price,
                    currency="RUB",
                    sort_order=order,
                    device_limit=3,
                )
            )
            added += 1
    await session.flush()
    return added


async def _run(command: str, settings: Settings) -> None:
    engine = create_engine(settings, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with unit_of_work(sessionmaker) as session:
            if command == "bootstrap-admin":
                owner = await bootstrap_owner(session, settings)
                print(f"created owner {owner.username}" if owner else "staff accounts exist; nothing to do")
            elif command == "seed-demo":
                print(f"demo catalog: {await seed_demo(session)} rows added")
            elif command == "rotate-encryption":
                for report in await rotate_encryption(session):
                    print(
                        f"{report.table}.{report.column}: {report.rotated} re-encrypted, "
                        f"{report.already_current} already under SECRET_KEY"
                    )
    finally:
        await engine.dispose()


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    parser.add_argument(
        "command",
        choices=["bootstrap-admin", "seed-demo", "check-config", "migrate", "rotate-encryption"],
        help="migrate: alembic upgrade head under a lock (safe with many replicas); "
        "rotate-encryption: re-encrypt stored secrets under SECRET_KEY (SECRET_KEY_PREVIOUS = the old key)",
    )
    args = parser.parse_args()
    settings = load_settings_or_exit()
    configure_logging(settings.log_level, json_output=False)
    configure_encryption(
        settings.secret_key.get_secret_value(),
        settings.secret_key_previous.get_secret_value() if settings.secret_key_previous else None,
    )
    if args.command == "check-config":
        print(f"configuration OK (environment={settings.environment.value})")
        return
    if args.command == "migrate":
        asyncio.run(upgrade_to_head(settings.database_url))
        return
    try:
        asyncio.run(_run(args.command, settings))
    except UndecryptableValue as exc:
        raise SystemExit(f"rotate-encryption: {exc}") from None


if __name__ == "__main__":
    main()
