"""Promo code errors (the class name is the API's `error` code)."""

from __future__ import annotations

from app.errors import BadRequest, Conflict, NotFound


class PromoCodeNotFound(NotFound):
    """Unknown or switched-off code."""

    default_detail = "No such promo code"


class PromoCodeExpired(Conflict):
    """The code's end date has passed."""

    default_detail = "This promo code has expired"


class PromoCodeExhausted(Conflict):
    """Every use of the code is taken."""

    default_detail = "This promo code has been used up"


class PromoCodeAlreadyUsed(Conflict):
    """The customer used this code before."""

    default_detail = "You have already used this promo code"


class PromoCodeNotApplicable(BadRequest):
    """Right code, wrong place (a discount outside a purchase, a balance code at checkout)."""


class PromoCodeTaken(Conflict):
    """Codes are unique (case-insensitive)."""

    default_detail = "A promo code with this text already exists"


class PromoCodeInUse(Conflict):
    """A used code cannot be deleted, only switched off."""

    default_detail = "This promo code has been used; switch it off instead of deleting"
