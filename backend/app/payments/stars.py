"""Telegram Stars checkout, reported by the bot: validate the pre-checkout, credit the successful payment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.time import utcnow
from app.models import Payment, User
from app.models.enums import PaymentMethod, PaymentPurpose, PaymentStatus
from app.payments import repository
from app.payments.alerts import webhook_rejected
from app.payments.schemas import StarsCheckout, StarsCheckoutAnswer, StarsPaid
from app.payments.settlement import Settlement, settle_paid
from app.servers.capacity import location_has_capacity

log = structlog.get_logger(__name__)
PROVIDER = "stars"

MESSAGES = {
    "not_found": (
        "Счёт не найден. Создайте новый в меню.",
        "Invoice not found. Create a new one from the menu.",
    ),
    "expired": (
        "Счёт устарел. Создайте новый в меню.",
        "This invoice has expired. Create a new one from the menu.",
    ),
    "paid": ("Этот счёт уже оплачен.", "This invoice has already been paid."),
    "changed": (
        "Сумма счёта не совпадает. Создайте новый счёт.",
        "The invoice amount does not match. Create a new one.",
    ),
    "full": (
        "Локация сейчас заполнена — выберите другую.",
        "This location is full right now — choose another one.",
    ),
}


def _message(key: str, user: User | None) -> str:
    ru, en = MESSAGES[key]
    return en if user is not None and user.language == "en" else ru


async def _payment_for(session: AsyncSession, payload: str) -> Payment | None:
    try:
        payment_id = uuid.UUID(payload)
    except ValueError:
        return None
    payment = await session.get(Payment, payment_id)
    return payment if payment is not None and payment.method is PaymentMethod.stars else None


def _mismatch(payment: Payment, user: User | None, body: StarsCheckout) -> str | None:
    if user is None or user.telegram_id != body.telegram_id:
        return "not_found"
    if (
        body.currency != "XTR"
        or payment.provider_amount is None
        or body.total_amount != int(payment.provider_amount)
    ):
        return "changed"
    return None


async def pre_checkout(session: AsyncSession, body: StarsCheckout) -> StarsCheckoutAnswer:
    """Say whether Telegram may take the Stars: the invoice is ours, open, for this payer and amount."""
    payment = await _payment_for(session, body.invoice_payload)
    user = await session.get(User, payment.user_id) if payment else None
    problem = "not_found" if payment is None else _mismatch(payment, user, body)
    if payment is not None and problem is None:
        if payment.status is PaymentStatus.paid:
            problem = "paid"
        elif payment.status is not PaymentStatus.pending or (
            payment.expires_at and payment.expires_at < utcnow()
        ):
            problem = "expired"
        elif (
            payment.purpose is PaymentPurpose.purchase
            and payment.location_id
            and not await location_has_capacity(session, payment.location_id)
        ):
            problem = "full"
    log.info(
        "stars_pre_checkout",
        payment_id=str(payment.id) if payment else None,
        telegram_id=body.telegram_id,
        ok=problem is None,
        problem=problem,
    )
    if problem is None:
        return StarsCheckoutAnswer(ok=True)
    return StarsCheckoutAnswer(ok=False, error_message=_message(problem, user))


@dataclass(frozen=True)
class StarsOutcome:
    """A credited payment, or why the report was refused (stored in the inbox either way)."""

    settlement: Settlement | None
    verdict: str
    detail: str | None = None


async def record_paid(session: AsyncSession, body: StarsPaid, source_ip: str | None) -> StarsOutcome:
    """Credit a successful Stars payment once per telegram_payment_charge_id."""
    charge_id = body.telegram_payment_charge_id
    payment = await _payment_for(session, body.invoice_payload)
    user = await session.get(User, payment.user_id) if payment else None
    verdict, detail, settlement = "credited", None, None
    if payment is None:
        verdict, detail = "unknown_invoice", f"payload {body.invoice_payload!r}"
    elif _mismatch(payment, user, body) is not None:
        verdict = (
            "amount_mismatch"
            if user is not None and user.telegram_id == body.telegram_id
            else "payer_mismatch"
        )
        detail = f"expected {payment.provider_amount} XTR from {user.telegram_id if user else '?'}, got {body.total_amount} {body.currency} from {body.telegram_id}"
    else:
        other = await repository.by_provider_id(session, PaymentMethod.stars, charge_id)
        if other is not None and other.id != payment.id:
            verdict, detail = "charge_reused", f"charge already credited to payment {other.id}"
        else:
            settlement = await settle_paid(
                session,
                payment.id,
                source="stars",
                provider_payment_id=charge_id,
                provider_data=body.model_dump(mode="json"),
            )
            verdict = "credited" if settlement.credited else "already_paid"
    event_id = await repository.insert_event(
        session,
        {
            "provider": PROVIDER,
            "event_key": f"charge:{charge_id}"[:200],
            "payment_id": payment.id if payment else None,
            "body": body.model_dump_json(),
            "headers": {},
            "signature_valid": True,
            "verdict": verdict,
            "detail": detail,
            "source_ip": source_ip,
            "handled_at": utcnow(),
        },
    )
    if settlement is None and event_id is not None:
        webhook_rejected(session, PROVIDER, verdict, detail or "")
    return StarsOutcome(settlement, verdict, detail)
