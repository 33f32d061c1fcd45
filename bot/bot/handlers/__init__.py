"""One Router per feature; get_routers() builds fresh ones (a router attaches to one dispatcher only)."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import catalog, fallback, home, language, referral, start


def get_routers() -> list[Router]:
    """Routers of every feature, newly built; the catch-all comes last."""
    return [
        start.build_router(),
        home.build_router(),
        catalog.build_router(),
        referral.build_router(),
        language.build_router(),
        fallback.build_router(),
    ]
