"""One Router per feature; get_routers() builds fresh ones (a router attaches to one dispatcher only)."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import start


def get_routers() -> list[Router]:
    """Routers of every feature, newly built."""
    return [start.build_router()]
