"""Settings of the shop as a whole: its name, time zone and the bot texts owners edit most."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.integrations.telegram.html import TelegramHtml
from app.shop_settings.registry import SettingDef, define


def _known_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Europe/Moscow") from None
    return name


TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_known_zone)]
# A text per customer language; a language left out uses the bot's built-in text.
LocalizedText = dict[Literal["ru", "en"], TelegramHtml]

SHOP_NAME = define(
    "shop.name",
    Annotated[str, Field(min_length=1, max_length=64)] | None,
    None,
    "Shop name customers see; empty uses SHOP_NAME from the environment",
    group="shop",
    public=True,
)
SHOP_TIMEZONE: SettingDef[str] = define(
    "shop.timezone",
    TimeZoneName,
    "Europe/Moscow",
    "Time zone of the shop: the dashboard's days and the dates customers see",
    group="shop",
    public=True,
)


def _text(key: str, description: str) -> SettingDef[dict[str, str]]:
    """A bot text owners edit: Telegram HTML per language, public so the bot can read it."""
    return define(
        key, LocalizedText, {}, f"{description} (Telegram HTML), per language", group="texts", public=True
    )


WELCOME_TEXT = _text("texts.welcome", "Greeting after /start")
RULES_TEXT = _text("texts.rules", "Terms of service and rules shown in the bot")
INSTRUCTIONS_FOOTER = _text(
    "texts.instructions_footer", "Added under the connection instructions, e.g. where to ask for help"
)
