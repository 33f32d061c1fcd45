"""The deterministic name of a subscription's client on the panel.

`u<telegram id>_<first 10 hex digits of the subscription id>`, lower case: valid as a 3x-ui email and a
Marzban username (3-32 word characters), stored on the subscription at creation, so a retried or
crashed job finds its client instead of creating a second one.
"""

from __future__ import annotations

import re
import uuid

SHOP_IDENTITY = re.compile(r"^u\d{1,20}_[0-9a-f]{10}$")


def panel_identity(telegram_id: int, subscription_id: uuid.UUID) -> str:
    """The panel name of a subscription's client."""
    return f"u{telegram_id}_{subscription_id.hex[:10]}"


def is_shop_identity(name: str) -> bool:
    """Whether a panel client name has the shape of ours (the shop never touches other clients)."""
    return bool(SHOP_IDENTITY.match(name.lower()))
