"""Enumerations stored in the database as native PostgreSQL enums."""

from __future__ import annotations

import enum


class AdminRole(enum.StrEnum):
    """Staff roles, from most to least powerful."""

    owner = "owner"
    admin = "admin"
    support = "support"

    @property
    def rank(self) -> int:
        """Higher rank can do everything a lower rank can."""
        return {"owner": 3, "admin": 2, "support": 1}[self.value]


class PanelType(enum.StrEnum):
    """Which VPN panel software a server runs."""

    xui = "3x-ui"
    marzban = "marzban"


class ServerHealth(enum.StrEnum):
    """Result of the periodic health check."""

    unknown = "unknown"
    ok = "ok"
    down = "down"


class SubscriptionStatus(enum.StrEnum):
    """Lifecycle of a subscription."""

    pending = "pending"
    active = "active"
    expired = "expired"
    disabled = "disabled"
    failed = "failed"


class PaymentStatus(enum.StrEnum):
    """Lifecycle of a payment."""

    pending = "pending"
    paid = "paid"
    failed = "failed"
    expired = "expired"
    refunded = "refunded"


class PaymentMethod(enum.StrEnum):
    """How a payment is made."""

    severpay = "severpay"
    cryptopay = "cryptopay"
    xrocket = "xrocket"
    stars = "stars"
    balance = "balance"
    admin = "admin"


class PaymentPurpose(enum.StrEnum):
    """What a payment is for."""

    topup = "topup"
    purchase = "purchase"
    renewal = "renewal"


class LedgerKind(enum.StrEnum):
    """Why a balance changed."""

    topup = "topup"
    purchase = "purchase"
    refund = "refund"
    referral_bonus = "referral_bonus"
    promo = "promo"
    admin_adjustment = "admin_adjustment"


class PromoKind(enum.StrEnum):
    """What a promo code gives."""

    balance = "balance"
    discount = "discount"
    days = "days"


class TicketStatus(enum.StrEnum):
    """Support ticket state."""

    open = "open"
    answered = "answered"
    closed = "closed"


class MessageAuthor(enum.StrEnum):
    """Who wrote a ticket message."""

    user = "user"
    staff = "staff"


class BroadcastStatus(enum.StrEnum):
    """Broadcast state."""

    draft = "draft"
    running = "running"
    done = "done"
    cancelled = "cancelled"
    failed = "failed"


class DeliveryStatus(enum.StrEnum):
    """Per-recipient state of a broadcast; `sending` is never retried, so nobody gets a message twice."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    blocked = "blocked"
