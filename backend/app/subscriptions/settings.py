"""Shop settings of the subscription lifecycle (stored in `settings`, edited in the admin panel).

Every key this domain reads is defined here, with its default and description.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from app.shop_settings.registry import SettingDef, define

Days = Annotated[int, Field(ge=1, le=3650)]
OptionalPositive = Annotated[int, Field(ge=1, le=1_000_000)] | None

TRIAL_ENABLED = define(
    "trial.enabled", bool, True, "Offer a free trial once per Telegram account", group="trial", public=True
)
TRIAL_DAYS = define("trial.days", Days, 3, "Length of the free trial in days", group="trial", public=True)
TRIAL_TRAFFIC_GB = define(
    "trial.traffic_gb",
    OptionalPositive,
    10,
    "Traffic of the trial in GB (empty = unlimited)",
    group="trial",
    public=True,
)
TRIAL_DEVICE_LIMIT = define(
    "trial.device_limit",
    OptionalPositive,
    1,
    "Devices at once on a trial (3x-ui only; empty = no limit)",
    group="trial",
)
TRIAL_LOCATION_ID: SettingDef[uuid.UUID | None] = define(
    "trial.location_id",
    uuid.UUID | None,
    None,
    "Location trials run in (empty = the first active location with free places)",
    group="trial",
)
REMINDER_DAYS = define(
    "reminders.days_before",
    list[Annotated[int, Field(ge=1, le=60)]],
    [3, 1],
    "Days before the end when customers are reminded (each reminder is sent once per end date)",
    group="reminders",
)
DELETE_AFTER_DAYS = define(
    "subscriptions.delete_after_days",
    Annotated[int, Field(ge=0, le=365)],
    3,
    "Days after expiry before the client is deleted from the panel (renewing before that keeps the same key)",
    group="subscriptions",
)
AUTO_RENEW_HOURS = define(
    "auto_renew.hours_before",
    Annotated[int, Field(ge=1, le=240)],
    24,
    "How many hours before the end auto-renewal charges the balance",
    group="subscriptions",
)
LINK_UPDATE_HOURS = define(
    "subscriptions.link_update_hours",
    Annotated[int, Field(ge=1, le=168)],
    12,
    "How often VPN apps refresh the personal subscription link (Profile-Update-Interval)",
    group="subscriptions",
)
