"""Prometheus metrics of the business (HTTP metrics come from the instrumentator)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

JOB_RUNS = Counter("vpnshop_job_runs_total", "arq job runs", ["job", "outcome"])
JOB_DURATION = Histogram("vpnshop_job_duration_seconds", "arq job duration", ["job"])
PAYMENTS = Counter("vpnshop_payments_total", "payments by provider and final status", ["method", "status"])
WEBHOOK_REJECTED = Counter(
    "vpnshop_webhook_rejected_total", "webhooks that changed nothing, by verdict", ["provider", "verdict"]
)
PROVISIONING = Counter("vpnshop_provisioning_total", "provisioning outcomes", ["panel_type", "outcome"])
PANEL_UP = Gauge("vpnshop_panel_up", "1 when the server's panel answers its health check", ["server"])
BROADCAST_SENT = Counter("vpnshop_broadcast_messages_total", "broadcast deliveries", ["outcome"])
WORKER_HEARTBEAT = Gauge(
    "vpnshop_worker_heartbeat_timestamp_seconds", "Unix time of the worker's last heartbeat job"
)
