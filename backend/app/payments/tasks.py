"""Payment jobs: process a webhook, poll pending invoices (lost webhooks), refresh the xRocket rate."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import structlog
from arq import Retry

from app.billing import settings_keys as keys
from app.db import unit_of_work
from app.integrations.payments.base import Invoice, InvoiceStatus, ProviderRejected, ProviderUnavailable
from app.integrations.payments.cryptopay import CryptoPayClient
from app.kit.time import utcnow
from app.models import Payment, PaymentEvent
from app.models.enums import PaymentMethod, PaymentStatus
from app.payments import repository
from app.payments.alerts import alert_now, webhook_rejected
from app.payments.providers import WEBHOOK_METHODS, build_webhook_provider, is_configured
from app.payments.reconcile import apply_invoice
from app.payments.settlement import mark_unpaid
from app.payments.webhooks import process_job_id
from app.promo.service import release_reservation
from app.shop_settings.registry import get_values, set_value
from app.worker.context import JobContext, http_client, job
from app.worker.enqueue import get_queue

log = structlog.get_logger(__name__)
MAX_TRIES = 5
POLL_WINDOW = timedelta(days=7)
# A provider that never says "expired" (or lost the invoice) gets this long before we give up.
GIVE_UP_AFTER = timedelta(hours=24)
STUCK_EVENT_AFTER = timedelta(minutes=2)
BATCH = 100
# The rate of an asset in Crypto Pay's table where xRocket names it differently.
CRYPTOPAY_ASSET_NAMES = {"TONCOIN": "TON"}
SUSPICIOUS = {"not_paid_at_provider", "not_found_at_provider", "amount_mismatch", "currency_mismatch"}


@job("payments.process_event")
async def process_event(ctx: JobContext, event_id: str) -> str:
    """Re-read an accepted webhook's invoice from the provider and credit (or close) the payment."""
    sessionmaker = ctx["sessionmaker"]
    async with sessionmaker() as session:
        event = await session.get(PaymentEvent, uuid.UUID(event_id))
        if event is None or event.handled_at is not None or event.payment_id is None:
            return "skipped"
        payment = await session.get(Payment, event.payment_id)
        if payment is None or payment.provider_payment_id is None:
            return "skipped"
        payment_id, method, provider_id = payment.id, payment.method, payment.provider_payment_id
    provider = build_webhook_provider(ctx["settings"], method, http_client(ctx))
    try:
        invoices = await provider.get_invoices([provider_id])
    except ProviderUnavailable as exc:
        tries = ctx.get("job_try", 1)
        if tries < MAX_TRIES:
            raise Retry(defer=tries * 10) from exc
        log.warning("webhook_processing_deferred_to_poller", event_id=event_id, error=exc.message)
        return "left to the poller"
    except ProviderRejected as exc:
        await alert_now(
            "alert_provider_error", f"provider:{method.value}", provider=method.value, error=exc.message
        )
        return "provider rejected the status read"
    async with unit_of_work(sessionmaker) as session:
        verdict, detail = await apply_invoice(
            session, payment_id, invoices.get(provider_id), source="webhook"
        )
        event = await session.get(PaymentEvent, uuid.UUID(event_id), with_for_update={"key_share": True})
        assert event is not None
        event.verdict, event.detail, event.handled_at = verdict, detail, utcnow()
        if verdict in SUSPICIOUS:
            webhook_rejected(session, method.value, verdict, detail or "")
    log.info("webhook_processed", event_id=event_id, verdict=verdict)
    return verdict


async def _read_invoices(ctx: JobContext, method: PaymentMethod, ids: list[str]) -> dict[str, Invoice] | None:
    provider = build_webhook_provider(ctx["settings"], method, http_client(ctx))
    found: dict[str, Invoice] = {}
    try:
        for start in range(0, len(ids), BATCH):
            found.update(await provider.get_invoices(ids[start : start + BATCH]))
    except ProviderUnavailable as exc:
        log.warning("payment_poll_provider_unavailable", method=method.value, error=exc.message)
        return None
    except ProviderRejected as exc:
        await alert_now(
            "alert_provider_error", f"provider:{method.value}", provider=method.value, error=exc.message
        )
        return None
    return found


@job("payments.poll")
async def poll_payments(ctx: JobContext) -> dict[str, int]:
    """Re-check pending invoices with their providers, close stale ones, retry stuck webhooks."""
    settings, sessionmaker = ctx["settings"], ctx["sessionmaker"]
    now = utcnow()
    counts: dict[str, int] = defaultdict(int)
    methods = tuple(m for m in WEBHOOK_METHODS if is_configured(settings, m))
    async with sessionmaker() as session:
        pending = (
            await session.scalars(repository.pending_provider_payments(methods, now - POLL_WINDOW))
        ).all()
        rows = [(p.id, p.method, str(p.provider_payment_id), p.expires_at) for p in pending]
    by_method: dict[PaymentMethod, list[str]] = defaultdict(list)
    for _, method, provider_id, _ in rows:
        by_method[method].append(provider_id)
    answers: dict[PaymentMethod, dict[str, Invoice] | None] = {
        method: await _read_invoices(ctx, method, ids) for method, ids in by_method.items()
    }
    for payment_id, method, provider_id, expires_at in rows:
        found = answers.get(method)
        if found is None:
            continue  # provider down: next run
        invoice = found.get(provider_id)
        try:
            async with unit_of_work(sessionmaker) as session:
                if invoice is not None and invoice.status is not InvoiceStatus.pending:
                    verdict, _ = await apply_invoice(session, payment_id, invoice, source="poller")
                    counts[verdict] += 1
                    if verdict in SUSPICIOUS:
                        webhook_rejected(session, method.value, verdict, f"poller, payment {payment_id}")
                elif expires_at is not None and now > expires_at + GIVE_UP_AFTER:
                    await mark_unpaid(
                        session, payment_id, PaymentStatus.expired, "no final answer from the provider"
                    )
                    counts["given_up"] += 1
        except Exception:
            log.exception("payment_poll_failed", payment_id=str(payment_id))
            counts["errors"] += 1
    async with unit_of_work(sessionmaker) as session:
        # Stars invoices cannot be read back; an unpaid one just runs out.
        for payment in (await session.scalars(repository.stale_unpaid(PaymentMethod.stars, now))).all():
            await mark_unpaid(session, payment.id, PaymentStatus.expired, "not paid in time")
            counts["marked_expired"] += 1
    counts["reservations_released"] = await _release_reservations(ctx)
    counts["events_requeued"] = await _requeue_stuck_events(ctx)
    log.info("payments_polled", pending=len(rows), **counts)
    return dict(counts)


async def _release_reservations(ctx: JobContext) -> int:
    released = 0
    async with ctx["sessionmaker"]() as session:
        payment_ids = [
            r.payment_id for r in (await session.scalars(repository.orphaned_reservations())).all()
        ]
    for payment_id in payment_ids:
        if payment_id is None:
            continue
        async with unit_of_work(ctx["sessionmaker"]) as session:
            released += int(await release_reservation(session, payment_id))
    return released


async def _requeue_stuck_events(ctx: JobContext) -> int:
    async with ctx["sessionmaker"]() as session:
        stuck = (await session.scalars(repository.unhandled_events(utcnow() - STUCK_EVENT_AFTER))).all()
        ids = [e.id for e in stuck]
    stamp = utcnow().strftime("%Y%m%d%H%M")
    for event_id in ids:
        await get_queue().enqueue_job(
            "payments.process_event", str(event_id), _job_id=f"{process_job_id(event_id)}:{stamp}"
        )
    return len(ids)


@job("payments.refresh_rates")
async def refresh_rates(ctx: JobContext) -> str:
    """Set the xRocket RUB rate from Crypto Pay's exchange rates (when auto-refresh is on)."""
    settings, sessionmaker = ctx["settings"], ctx["sessionmaker"]
    async with sessionmaker() as session:
        values = await get_values(
            session, [keys.XROCKET_RATE_AUTO, keys.XROCKET_ASSET, keys.XROCKET_RATE_MARKUP]
        )
    if not values[keys.XROCKET_RATE_AUTO.key]:
        return "off"
    if settings.crypto_pay_token is None:
        return "no Crypto Pay token to read rates with"
    asset = values[keys.XROCKET_ASSET.key]
    client = CryptoPayClient(
        settings.crypto_pay_api_url, settings.crypto_pay_token.get_secret_value(), http_client(ctx)
    )
    try:
        rates = await client.exchange_rates()
    except (ProviderUnavailable, ProviderRejected) as exc:
        log.warning("rate_refresh_failed", error=exc.message)
        return "failed"
    source = CRYPTOPAY_ASSET_NAMES.get(asset, asset)
    match = next(
        (
            r
            for r in rates
            if r.get("source") == source and r.get("target") == "RUB" and r.get("is_valid", True)
        ),
        None,
    )
    if match is None:
        log.warning("rate_refresh_no_rate", asset=asset)
        return f"no RUB rate for {asset}"
    markup = values[keys.XROCKET_RATE_MARKUP.key]
    rate = (Decimal(str(match["rate"])) * (Decimal(100) + markup) / Decimal(100)).quantize(Decimal("0.0001"))
    async with unit_of_work(sessionmaker) as session:
        await set_value(session, keys.XROCKET_RUB_RATE, rate)
    log.info("rate_refreshed", asset=asset, rub_per_unit=str(rate))
    return str(rate)
