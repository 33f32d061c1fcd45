"""Purchase errors (the class name is the API's `error` code)."""

from __future__ import annotations

from app.errors import BadRequest, Conflict, NotFound


class TariffNotForLocation(BadRequest):
    """The plan is sold for another location."""

    default_detail = "This plan is not sold for the chosen location"


class TariffUnavailable(Conflict):
    """The plan or the location is no longer on sale."""

    default_detail = "This plan is no longer on sale"


class LocationFull(Conflict):
    """Every server of the location is full or down."""

    default_detail = "This location is full right now; choose another one or try later"


class SubscriptionNotFound(NotFound):
    """No such subscription of this customer."""

    default_detail = "Subscription not found"


class SubscriptionNotRenewable(Conflict):
    """Pending, failed or lifetime subscriptions cannot be renewed."""
