"""Payment routes: methods, top-ups and the customer's payments; Stars reports; webhooks; staff views."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record, snapshot
from app.deps import ClientIpDep, RedisDep, SessionDep, SettingsDep
from app.errors import AppError, NotFound, error_responses
from app.integrations.payments.base import InvoiceStatus, ProviderRejected, ProviderUnavailable
from app.kit.money import to_money
from app.kit.pagination import Page, PageDep, apply_sort, make_page, paginate
from app.kit.time import utcnow
from app.models import Payment, PaymentEvent, User
from app.models.enums import AdminRole, PaymentMethod, PaymentPurpose, PaymentStatus
from app.payments import refunds, reports, stars, webhooks
from app.payments.deps import HttpDep
from app.payments.errors import PaymentNotFound
from app.payments.invoicing import create_provider_payment, topup_description
from app.payments.methods import check_topup_amount, describe_methods, load_config, require_method
from app.payments.providers import WEBHOOK_METHODS, build_provider, is_configured
from app.payments.reconcile import apply_invoice
from app.payments.schemas import (
    PaymentAdminPage,
    PaymentAdminRead,
    PaymentEventRead,
    PaymentMethodRead,
    PaymentRead,
    RefundRequest,
    RefundResult,
    StarsCheckout,
    StarsCheckoutAnswer,
    StarsPaid,
    StarsPaidResult,
    TopupCreate,
)
from app.users.deps import BotService, CurrentUser

log = structlog.get_logger(__name__)
public_router = APIRouter(tags=["payments"])
customer_router = APIRouter(prefix="/users/me", tags=["customer"])
bot_router = APIRouter(prefix="/bot/payments/stars", tags=["bot"])
webhook_router = APIRouter(prefix="/webhooks/payments", tags=["webhooks"])
admin_router = APIRouter(prefix="/admin", tags=["admin: payments"])

# A customer pressing "I have paid" again and again asks the provider at most this often.
CHECK_INTERVAL_SECONDS = 5
READ = Depends(RequireRole(AdminRole.support, "payments:read"))
WRITE = Depends(RequireRole(AdminRole.admin, "payments:write"))


@public_router.get("/payment-methods", response_model=list[PaymentMethodRead])
async def payment_methods(session: SessionDep, settings: SettingsDep) -> list[PaymentMethodRead]:
    """The ways to pay on offer now (configured and switched on), with top-up limits."""
    return describe_methods(settings, await load_config(session, settings))


# --- customer --------------------------------------------------------------------------------------


@customer_router.post(
    "/topups", response_model=PaymentRead, status_code=201, responses=error_responses(400, 401, 403, 503)
)
async def create_topup(
    body: TopupCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep, http: HttpDep
) -> Payment:
    """Top up the balance: answers the invoice with `pay_url`; the balance is credited when it is paid."""
    method = PaymentMethod(body.method)
    config = await load_config(session, settings)
    require_method(settings, config, method)
    check_topup_amount(config, body.amount)
    return await create_provider_payment(
        session,
        settings,
        http,
        config,
        user,
        method=method,
        amount=body.amount,
        description=topup_description(settings, body.amount),
    )


async def _own_payment(session: SessionDep, user: CurrentUser, payment_id: uuid.UUID) -> Payment:
    payment = await session.get(Payment, payment_id)
    if payment is None or payment.user_id != user.id:
        raise PaymentNotFound()
    return payment


OwnPayment = Annotated[Payment, Depends(_own_payment)]


@customer_router.get("/payments", response_model=Page[PaymentRead], responses=error_responses(401, 403))
async def my_payments(
    user: CurrentUser,
    session: SessionDep,
    params: PageDep,
    status: PaymentStatus | None = None,
) -> Page[PaymentRead]:
    """The customer's payments, newest first."""
    stmt = select(Payment).where(Payment.user_id == user.id)
    if status is not None:
        stmt = stmt.where(Payment.status == status)
    rows, total = await paginate(session, stmt.order_by(Payment.created_at.desc(), Payment.id), params)
    return make_page([PaymentRead.model_validate(r) for r in rows], total, params)


@customer_router.get(
    "/payments/{payment_id}", response_model=PaymentRead, responses=error_responses(401, 404)
)
async def my_payment(payment: OwnPayment) -> Payment:
    """One of the customer's payments."""
    return payment


@customer_router.post(
    "/payments/{payment_id}/check", response_model=PaymentRead, responses=error_responses(401, 404, 503)
)
async def check_my_payment(
    payment: OwnPayment, session: SessionDep, settings: SettingsDep, http: HttpDep, redis: RedisDep
) -> Payment:
    """After "I have paid": ask the provider now (at most every few seconds) instead of waiting."""
    if (
        payment.status is PaymentStatus.pending
        and await redis.set(f"payment-check:{payment.id}", "1", nx=True, ex=CHECK_INTERVAL_SECONDS)
        and payment.method in WEBHOOK_METHODS
        and payment.provider_payment_id
        and is_configured(settings, payment.method)
    ):
        provider = build_provider(settings, payment.method, http)
        try:
            invoices = await provider.get_invoices([payment.provider_payment_id])
        except (ProviderUnavailable, ProviderRejected):
            invoices = None  # the poller will get it; the customer sees "pending"
        invoice = invoices.get(payment.provider_payment_id) if invoices is not None else None
        if invoice is not None and invoice.status is not InvoiceStatus.pending:
            await apply_invoice(session, payment.id, invoice, source="customer_check")
            await session.refresh(payment)
    return payment


# --- the bot: Telegram Stars -----------------------------------------------------------------------


@bot_router.post("/pre-checkout", response_model=StarsCheckoutAnswer, responses=error_responses(401))
async def stars_pre_checkout(body: StarsCheckout, _: BotService, session: SessionDep) -> StarsCheckoutAnswer:
    """Validate a pre_checkout_query (answer Telegram within 10 s with what this returns)."""
    return await stars.pre_checkout(session, body)


@bot_router.post(
    "/paid",
    response_model=StarsPaidResult,
    responses={
        **error_responses(401),
        400: {"description": "the report does not match the invoice (stored, staff alerted)"},
    },
)
async def stars_paid(
    body: StarsPaid, _: BotService, session: SessionDep, ip: ClientIpDep
) -> StarsPaidResult | JSONResponse:
    """Credit a successful_payment (idempotent per telegram_payment_charge_id)."""
    outcome = await stars.record_paid(session, body, ip)
    if outcome.settlement is None:
        # Not raised: the refused report must be committed to the inbox with its verdict.
        return JSONResponse(
            {"error": "StarsPaymentRejected", "detail": f"{outcome.verdict}: {outcome.detail}"},
            status_code=400,
        )
    payment = outcome.settlement.payment
    await session.refresh(payment)
    balance = await session.scalar(select(User.balance).where(User.id == payment.user_id))
    return StarsPaidResult.model_validate(
        {
            **PaymentRead.model_validate(payment).model_dump(),
            "credited": outcome.settlement.credited,
            "balance": to_money(balance if balance is not None else 0),
        }
    )


# --- provider webhooks -----------------------------------------------------------------------------


class PayloadTooLarge(AppError):
    """A webhook body above the limit."""

    status_code = 413
    default_detail = "Payload too large"


async def _limited_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > webhooks.MAX_BODY_BYTES:
        raise PayloadTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > webhooks.MAX_BODY_BYTES:
            raise PayloadTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


@webhook_router.post("/{provider}", responses=error_responses(401, 404, 413))
async def payment_webhook(
    provider: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    http: HttpDep,
    ip: ClientIpDep,
) -> JSONResponse:
    """A provider's notification (Crypto Pay, xRocket, Sever Pay), verified over the raw body."""
    try:
        method = PaymentMethod(provider)
    except ValueError:
        raise NotFound("Unknown payment provider") from None
    if method not in WEBHOOK_METHODS or not is_configured(settings, method):
        raise NotFound("This payment provider is not configured")
    raw = await _limited_body(request)
    reply = await webhooks.receive(session, settings, http, method, raw, request.headers, ip)
    log.info(
        "webhook_verdict",
        provider=method.value,
        verdict=reply.verdict,
        status=reply.status_code,
        source_ip=ip,
    )
    ok = reply.status_code < 400
    if method is PaymentMethod.severpay:
        # Sever Pay retries until it gets {"status": true}.
        body: dict[str, object] = {"status": True} if ok else {"status": False, "msg": reply.verdict}
    else:
        body = (
            {"ok": True, "verdict": reply.verdict}
            if ok
            else {"error": "WebhookRejected", "detail": reply.verdict}
        )
    return JSONResponse(body, status_code=reply.status_code)


# --- staff ---------------------------------------------------------------------------------------


def _filters(
    status: PaymentStatus | None = None,
    method: PaymentMethod | None = None,
    purpose: PaymentPurpose | None = None,
    user_id: uuid.UUID | None = None,
    date_from: Annotated[datetime | None, Query(description="created at or after (ISO 8601)")] = None,
    date_to: Annotated[datetime | None, Query(description="created before (ISO 8601)")] = None,
    provider_payment_id: Annotated[str | None, Query(max_length=128)] = None,
) -> reports.PaymentFilters:
    return reports.PaymentFilters(status, method, purpose, user_id, date_from, date_to, provider_payment_id)


FiltersDep = Annotated[reports.PaymentFilters, Depends(_filters)]


@admin_router.get("/payments", response_model=PaymentAdminPage, dependencies=[READ])
async def list_payments(
    session: SessionDep,
    params: PageDep,
    filters: FiltersDep,
    sort: Annotated[str | None, Query(description="e.g. -created_at, amount")] = None,
) -> PaymentAdminPage:
    """Payments with filters; `totals` sums the whole filtered list."""
    stmt = apply_sort(
        filters.apply(select(Payment)), sort, reports.SORTS, [Payment.created_at.desc(), Payment.id]
    )
    rows, total = await paginate(session, stmt, params)
    page = make_page([PaymentAdminRead.model_validate(r) for r in rows], total, params)
    return PaymentAdminPage(**page.model_dump(), totals=await reports.totals(session, filters))


@admin_router.get(
    "/payments/export.csv",
    response_class=StreamingResponse,
    dependencies=[READ],
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, one payment per row"}},
)
async def export_payments(request: Request, filters: FiltersDep) -> StreamingResponse:
    """The filtered payments as CSV (streamed)."""
    name = f"payments-{utcnow():%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        reports.export_csv(request.app.state.sessionmaker, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _payment(session: SessionDep, payment_id: uuid.UUID) -> Payment:
    payment = await session.get(Payment, payment_id)
    if payment is None:
        raise PaymentNotFound()
    return payment


@admin_router.get(
    "/payments/{payment_id}",
    response_model=PaymentAdminRead,
    responses=error_responses(404),
    dependencies=[READ],
)
async def get_payment(payment: Annotated[Payment, Depends(_payment)]) -> Payment:
    """One payment."""
    return payment


@admin_router.post(
    "/payments/{payment_id}/refund",
    response_model=RefundResult,
    responses=error_responses(402, 404, 409, 503),
    dependencies=[WRITE],
)
async def refund_payment(
    payment_id: uuid.UUID,
    body: RefundRequest,
    session: SessionDep,
    settings: SettingsDep,
    http: HttpDep,
    principal: CurrentPrincipal,
    request: Request,
) -> RefundResult:
    """Refund a paid payment once (order price to the balance; Stars back through Telegram)."""
    existing = await session.get(Payment, payment_id)
    before = snapshot(existing) if existing is not None else None
    result = await refunds.refund_payment(
        session, settings, http, payment_id, body.reason, principal.admin_id
    )
    after = snapshot(result.payment)
    after["refund_reason"] = body.reason
    after["balance_change"] = str(result.balance_change)
    record(
        session,
        principal,
        "payment.refund",
        "payment",
        payment_id,
        before=before,
        after=after,
        request=request,
    )
    return RefundResult(
        payment=PaymentAdminRead.model_validate(result.payment),
        balance_change=result.balance_change,
        balance=result.balance,
        stars_refunded=result.stars,
    )


@admin_router.get("/payment-events", response_model=Page[PaymentEventRead], dependencies=[READ])
async def list_payment_events(
    session: SessionDep,
    params: PageDep,
    provider: Annotated[str | None, Query(max_length=32)] = None,
    verdict: Annotated[str | None, Query(max_length=64)] = None,
    payment_id: uuid.UUID | None = None,
) -> Page[PaymentEventRead]:
    """The webhook inbox: every provider notification with its verdict, newest first."""
    stmt = select(PaymentEvent)
    if provider:
        stmt = stmt.where(PaymentEvent.provider == provider)
    if verdict:
        stmt = stmt.where(PaymentEvent.verdict == verdict)
    if payment_id:
        stmt = stmt.where(PaymentEvent.payment_id == payment_id)
    rows, total = await paginate(
        session, stmt.order_by(PaymentEvent.received_at.desc(), PaymentEvent.id), params
    )
    return make_page([PaymentEventRead.model_validate(r) for r in rows], total, params)
