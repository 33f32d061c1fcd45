"""All tables, imported here so Alembic and the app see the whole metadata."""

from app.models.admin_account import AdminAccount
from app.models.api_key import ApiKey
from app.models.audit_log import AuditLog
from app.models.balance_ledger import BalanceLedger
from app.models.base import Base
from app.models.broadcast import Broadcast, BroadcastDelivery
from app.models.location import Location
from app.models.payment import Payment
from app.models.payment_event import PaymentEvent
from app.models.promo_code import PromoCode, PromoRedemption
from app.models.referral_reward import ReferralReward
from app.models.server import Server
from app.models.setting import Setting
from app.models.subscription import Subscription
from app.models.tariff import Tariff
from app.models.ticket import Ticket, TicketMessage
from app.models.user import User

__all__ = [
    "AdminAccount",
    "ApiKey",
    "AuditLog",
    "BalanceLedger",
    "Base",
    "Broadcast",
    "BroadcastDelivery",
    "Location",
    "Payment",
    "PaymentEvent",
    "PromoCode",
    "PromoRedemption",
    "ReferralReward",
    "Server",
    "Setting",
    "Subscription",
    "Tariff",
    "Ticket",
    "TicketMessage",
    "User",
]
