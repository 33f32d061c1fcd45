"""Apply what a provider says about an invoice (read back from its API) to our payment."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.integrations.payments.base import Invoice, InvoiceStatus
from app.kit.money import to_money
from app.models import Payment
from app.models.enums import PaymentMethod, PaymentStatus
from app.payments.settlement import mark_unpaid, settle_paid


def expected_charge(payment: Payment) -> tuple[Decimal, str]:
    """What the provider should report as paid: the asset amount for xRocket, RUB for the others."""
    if payment.method is PaymentMethod.xrocket and payment.provider_amount is not None:
        return payment.provider_amount, payment.provider_currency or ""
    return payment.amount, "RUB"


def charge_problem(payment: Payment, amount: Decimal | None, currency: str | None) -> tuple[str, str] | None:
    """(verdict, detail) when a reported charge is not what we billed; None when it matches."""
    expected_amount, expected_currency = expected_charge(payment)
    if (currency or "").upper() != expected_currency.upper():
        return "currency_mismatch", f"expected {expected_currency}, got {currency or 'nothing'}"
    if amount is None:
        return "amount_mismatch", f"expected {expected_amount} {expected_currency}, got no amount"
    # RUB compares to the kopeck (150.5 == "150.50"); assets compare exactly.
    got = to_money(amount) if expected_currency == "RUB" else amount
    if got != expected_amount:
        return "amount_mismatch", f"expected {expected_amount} {expected_currency}, got {amount} {currency}"
    return None


async def apply_invoice(
    session: AsyncSession, payment_id: uuid.UUID, invoice: Invoice | None, *, source: str
) -> tuple[str, str | None]:
    """Credit, close or leave the payment per the provider's answer; returns (verdict, detail)."""
    payment = await session.get(Payment, payment_id)
    if payment is None:
        return "unknown_invoice", "payment vanished"
    if invoice is None:
        return (
            "not_found_at_provider",
            f"{payment.method.value} does not know invoice {payment.provider_payment_id}",
        )
    if invoice.status is InvoiceStatus.paid:
        problem = charge_problem(payment, invoice.amount, invoice.currency)
        if problem is not None:
            return problem
        result = await settle_paid(session, payment.id, source=source, provider_data=invoice.raw)
        return ("credited" if result.credited else "already_paid"), None
    if invoice.status in (InvoiceStatus.expired, InvoiceStatus.failed):
        status = PaymentStatus.expired if invoice.status is InvoiceStatus.expired else PaymentStatus.failed
        detail = str(invoice.raw.get("status")) if invoice.raw.get("status") else None
        changed = await mark_unpaid(session, payment.id, status, detail)
        return (f"marked_{status.value}" if changed else "already_closed"), detail
    return "not_paid_at_provider", f"{payment.method.value} reports the invoice as still open"
