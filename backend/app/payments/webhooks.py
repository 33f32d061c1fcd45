"""The webhook inbox: verify over the raw body, store every call once with its verdict, queue crediting."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.integrations.payments.base import InvoiceStatus, WebhookNotice, WebhookProvider, load_json_object
from app.kit.time import utcnow
from app.models import Payment
from app.models.enums import PaymentMethod
from app.payments import repository
from app.payments.alerts import webhook_rejected
from app.payments.providers import build_webhook_provider
from app.payments.reconcile import charge_problem
from app.worker.enqueue import enqueue_after_commit

log = structlog.get_logger(__name__)
MAX_BODY_BYTES = 64 * 1024
_KEPT_HEADERS = {"content-type", "user-agent", "crypto-pay-api-signature", "rocket-pay-signature"}


@dataclass(frozen=True)
class WebhookReply:
    """The HTTP status to answer and the verdict stored with the event."""

    status_code: int
    verdict: str
    event_id: uuid.UUID | None = None


def process_job_id(event_id: uuid.UUID | str) -> str:
    """One processing job per event."""
    return f"payment-event:{event_id}"


def _signature_state(provider: WebhookProvider, raw: bytes, headers: Mapping[str, str]) -> str:
    if provider.signature_header is not None:
        signed = bool(headers.get(provider.signature_header))
    else:
        # Signed in the body (Sever Pay's `sign` field).
        try:
            signed = "sign" in load_json_object(raw)
        except ValueError:
            signed = False
    if not signed:
        return "unsigned"
    return "valid" if provider.verify_webhook(raw, headers) else "bad_signature"


async def _store(
    session: AsyncSession,
    provider: str,
    event_key: str,
    raw: bytes,
    headers: Mapping[str, str],
    source_ip: str | None,
    *,
    signature_valid: bool,
    verdict: str,
    detail: str | None = None,
    payment_id: uuid.UUID | None = None,
    handled: bool = True,
) -> uuid.UUID | None:
    return await repository.insert_event(
        session,
        {
            "provider": provider,
            "event_key": event_key[:200],
            "payment_id": payment_id,
            "body": raw.decode("utf-8", "replace"),
            "headers": {k: v for k, v in headers.items() if k.lower() in _KEPT_HEADERS},
            "signature_valid": signature_valid,
            "verdict": verdict,
            "detail": detail,
            "source_ip": source_ip,
            "handled_at": utcnow() if handled else None,
        },
    )


async def _find_payment(
    session: AsyncSession, method: PaymentMethod, notice: WebhookNotice
) -> Payment | None:
    if not notice.provider_payment_id:
        return None
    payment = await repository.by_provider_id(session, method, notice.provider_payment_id)
    if payment is not None and notice.order_id is not None and notice.order_id != str(payment.id):
        return None
    return payment


async def receive(
    session: AsyncSession,
    settings: Settings,
    http: httpx.AsyncClient,
    method: PaymentMethod,
    raw: bytes,
    headers: Mapping[str, str],
    source_ip: str | None,
) -> WebhookReply:
    """Verify, record once, and queue the crediting job; nothing here changes a balance."""
    name = method.value
    provider = build_webhook_provider(settings, method, http)
    digest = hashlib.sha256(raw).hexdigest()[:40]
    signature = _signature_state(provider, raw, headers)
    if signature != "valid":
        # Keyed by the body's hash, never by the ids inside it: a forged call must not occupy the
        # key of the genuine notification that may follow.
        event_id = await _store(
            session,
            name,
            f"rejected:{digest}",
            raw,
            headers,
            source_ip,
            signature_valid=False,
            verdict=signature,
        )
        if event_id is not None:
            webhook_rejected(session, name, signature, f"from {source_ip}")
        return WebhookReply(401, signature, event_id)
    try:
        notice = provider.parse_webhook(raw)
    except ValueError as exc:
        event_id = await _store(
            session,
            name,
            f"unsupported:{digest}",
            raw,
            headers,
            source_ip,
            signature_valid=True,
            verdict="unsupported",
            detail=str(exc),
        )
        return WebhookReply(200, "unsupported", event_id)
    if notice.is_test:
        event_id = await _store(
            session, name, notice.event_key, raw, headers, source_ip, signature_valid=True, verdict="test"
        )
        return WebhookReply(200, "test", event_id)
    payment = await _find_payment(session, method, notice)
    verdict, detail = "accepted", None
    if payment is None:
        verdict, detail = "unknown_invoice", f"invoice {notice.provider_payment_id} order {notice.order_id}"
    elif notice.status is InvoiceStatus.paid:
        problem = charge_problem(payment, notice.amount, notice.currency)
        if problem is not None:
            verdict, detail = problem
    elif notice.status is InvoiceStatus.pending:
        verdict = "ignored_status"
    event_id = await _store(
        session,
        name,
        notice.event_key,
        raw,
        headers,
        source_ip,
        signature_valid=True,
        verdict=verdict,
        detail=detail,
        payment_id=payment.id if payment else None,
        handled=verdict != "accepted",
    )
    if event_id is None:
        log.info("webhook_duplicate", provider=name, event_key=notice.event_key)
        return WebhookReply(200, "duplicate")
    if verdict == "accepted":
        enqueue_after_commit(
            session, "payments.process_event", str(event_id), _job_id=process_job_id(event_id)
        )
        log.info(
            "webhook_accepted",
            provider=name,
            event_key=notice.event_key,
            payment_id=str(payment.id) if payment else None,
        )
    elif verdict != "ignored_status":
        webhook_rejected(session, name, verdict, detail or "")
    return WebhookReply(200, verdict, event_id)
