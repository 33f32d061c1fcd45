"""Errors of the subscriptions domain (the class name is the API's `error` code)."""

from app.errors import BadRequest, Conflict, NotFound


class SubscriptionNotFound(NotFound):
    """No such subscription (or not the caller's)."""

    default_detail = "Subscription not found"


class SubscriptionNotExtendable(Conflict):
    """Failed subscriptions are refunded, not extended."""

    default_detail = "This subscription cannot be extended"


class SubscriptionIsForever(Conflict):
    """A subscription without an end date cannot be extended."""

    default_detail = "This subscription never ends; there is nothing to extend"


class SubscriptionStateConflict(Conflict):
    """The action does not fit the subscription's status."""


class TrialAlreadyUsed(Conflict):
    """Each Telegram account gets one trial."""

    default_detail = "The free trial has already been used on this account"


class TrialUnavailable(BadRequest):
    """The shop offers no trial now (switched off, or no location to run it in)."""

    default_detail = "The free trial is not available right now"


class AutoRenewUnavailable(BadRequest):
    """Only subscriptions bought with a time-limited tariff can renew themselves."""

    default_detail = "Auto-renewal needs a subscription bought with a time-limited plan"


class TariffNotForLocation(BadRequest):
    """The tariff is tied to another location."""

    default_detail = "This plan is not sold in the chosen location"


class ReconcileItemNotFound(NotFound):
    """The drift item is not in the current report (fixed meanwhile, or the report was refreshed)."""

    default_detail = "No such item in the current drift report; refresh the report"


class DriftNotFixable(BadRequest):
    """The shop never touches panel clients it did not create."""

    default_detail = "This client was not created by the shop; it is reported only and never touched"
