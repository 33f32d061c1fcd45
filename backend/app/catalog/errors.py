"""Catalog errors."""

from app.errors import Conflict, NotFound


class LocationNotFound(NotFound):
    """No such location."""

    default_detail = "Location not found"


class TariffNotFound(NotFound):
    """No such tariff."""

    default_detail = "Tariff not found"


class LocationNameTaken(Conflict):
    """Location names are unique (case-insensitive)."""

    default_detail = "A location with this name already exists"


class LocationInUse(Conflict):
    """A location with servers, tariffs or subscriptions cannot be deleted."""


class TariffInUse(Conflict):
    """A tariff that was sold cannot be deleted."""

    default_detail = "This tariff has been sold; deactivate it instead of deleting"
