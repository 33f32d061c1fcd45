"""Purchase errors (the class name is the API's `error` code)."""

from __future__ import annotations

from app.errors import Conflict
from app.servers.capacity import LocationFull
from app.subscriptions.errors import SubscriptionNotFound, TariffNotForLocation

__all__ = [
    "LocationFull",
    "SubscriptionNotFound",
    "SubscriptionNotRenewable",
    "TariffNotForLocation",
    "TariffUnavailable",
]


class TariffUnavailable(Conflict):
    """The plan or the location is no longer on sale."""

    default_detail = "This plan is no longer on sale"


class SubscriptionNotRenewable(Conflict):
    """Pending, failed or lifetime subscriptions cannot be renewed."""
