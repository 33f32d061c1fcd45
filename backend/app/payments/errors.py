"""Payment errors (the class name is the API's `error` code)."""

from __future__ import annotations

from app.errors import BadRequest, Conflict, NotFound, ServiceUnavailable


class PaymentMethodUnavailable(BadRequest):
    """The method is not configured or switched off."""

    default_detail = "This payment method is not available"


class AmountOutOfRange(BadRequest):
    """A top-up below the minimum or above the maximum."""


class PaymentProviderUnavailable(ServiceUnavailable):
    """The provider did not create the invoice; nothing was charged."""

    default_detail = "The payment provider is not answering; try again in a minute or choose another method"


class PaymentNotFound(NotFound):
    """No such payment (or not the caller's)."""

    default_detail = "Payment not found"


class PaymentNotRefundable(Conflict):
    """The payment is not in a state or of a kind that can be refunded."""


class StarsPaymentRejected(BadRequest):
    """A Stars payment report that does not match the invoice we issued."""
