"""Settings of customer support."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from app.shop_settings.registry import define

_TELEGRAM_USERNAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")


def _contact(value: str) -> str:
    value = value.strip()
    if _TELEGRAM_USERNAME.match(value) or re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        return value
    raise ValueError("use a Telegram @username or an http(s) link")


SupportContact = Annotated[str, Field(max_length=200), AfterValidator(_contact)]

SUPPORT_CONTACT = define(
    "support.contact",
    SupportContact | None,
    None,
    "Where customers reach a human: a Telegram @username or a link",
    group="support",
    public=True,
)
MAX_OPEN_TICKETS = define(
    "support.max_open_tickets",
    Annotated[int, Field(ge=1, le=50)],
    3,
    "How many unclosed tickets one customer may have at a time",
    group="support",
)
MESSAGES_PER_HOUR = define(
    "support.messages_per_hour",
    Annotated[int, Field(ge=1, le=1000)],
    30,
    "How many ticket messages one customer may write per hour (new tickets included)",
    group="support",
)
