"""Every CallbackData of the bot. Payloads are hints, never trusted: handlers re-read what they name
through the customer's own token or the public catalog, and treat anything unknown as a stale button.

Ids travel as 22-character base64url so two of them fit Telegram's 64-byte limit.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Screen(StrEnum):
    """Screens reachable without parameters."""

    home = "home"
    locations = "locations"
    referral = "referral"
    language = "language"


class NavCb(CallbackData, prefix="nav"):
    """Open a screen."""

    to: Screen


class LocationCb(CallbackData, prefix="loc"):
    """The plans of one location."""

    loc: str


class PlanCb(CallbackData, prefix="plan"):
    """One plan in one location."""

    loc: str
    plan: str


class LanguageCb(CallbackData, prefix="lang"):
    """Switch the language."""

    code: str


def short_id(value: uuid.UUID) -> str:
    """A UUID as 22 base64url characters."""
    return base64.urlsafe_b64encode(value.bytes).decode().rstrip("=")


def parse_id(value: str) -> uuid.UUID | None:
    """The UUID of `short_id`, or None for anything else (an old or forged payload)."""
    if len(value) != 22:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(value + "=="))
    except (binascii.Error, ValueError):
        return None
