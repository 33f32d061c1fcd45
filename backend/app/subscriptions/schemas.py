"""Bodies of the subscription endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.models.enums import SubscriptionStatus


class SubscriptionView(BaseModel):
    """A subscription as its customer sees it."""

    id: uuid.UUID
    status: SubscriptionStatus
    location_id: uuid.UUID
    location_name: str
    country_code: str
    flag_emoji: str
    tariff_id: uuid.UUID | None
    tariff_name: str | None
    is_trial: bool
    starts_at: datetime | None
    ends_at: datetime | None = Field(description="null: never ends (or not started yet, see status)")
    days_left: int | None = Field(description="whole days until the end; null when it never ends")
    traffic_used_bytes: int
    traffic_limit_bytes: int | None = Field(description="null: unlimited")
    quota_exhausted: bool
    device_limit: int | None
    config_url: str | None = Field(
        description="the link to import in a VPN app (the panel's own link, or the personal link)"
    )
    auto_renew: bool
    can_auto_renew: bool
    created_at: datetime


class SubscriptionDetail(SubscriptionView):
    """One subscription with its share links."""

    links: list[str] = Field(description="share links (vless://, vmess://, ...) of this subscription")


class SubscriptionAdminView(SubscriptionView):
    """A subscription as staff see it."""

    user_id: uuid.UUID
    telegram_id: int
    server_id: uuid.UUID | None
    server_name: str | None
    panel_identity: str
    panel_sub_id: str | None
    duration_days: int | None
    provision_attempts: int
    last_error: str | None
    traffic_synced_at: datetime | None
    disabled_on_panel_at: datetime | None
    deleted_on_panel_at: datetime | None
    updated_at: datetime


class SubscriptionPatch(BaseModel):
    """What a customer may change."""

    auto_renew: bool


class ExtendBody(BaseModel):
    """Extra days for a subscription."""

    days: int = Field(gt=0, le=3650)


class GrantBody(BaseModel):
    """A subscription given by staff: a tariff's terms, or a number of days (with optional limits)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"location_id": "8a6e0f5e-3f1b-4a8e-9a59-1b0a3c2d4e5f", "days": 30, "traffic_limit_gb": 100}
            ]
        }
    }

    location_id: uuid.UUID
    tariff_id: uuid.UUID | None = None
    days: int | None = Field(default=None, gt=0, le=3650, description="overrides the tariff's duration")
    traffic_limit_gb: int | None = Field(default=None, gt=0, le=1_000_000)
    device_limit: int | None = Field(default=None, gt=0, le=100)

    @model_validator(mode="after")
    def _tariff_or_days(self) -> GrantBody:
        if self.tariff_id is None and self.days is None:
            raise ValueError("give a tariff_id or a number of days")
        return self


class DriftItem(BaseModel):
    """One difference between the database and a panel, with the fix the shop can apply."""

    id: str
    kind: Literal["orphan_client", "foreign_client", "missing_client", "state_mismatch"]
    server_id: uuid.UUID
    server_name: str
    identity: str
    subscription_id: uuid.UUID | None
    detail: str
    fix: Literal["delete_client", "recreate_client", "push_state"] | None = Field(
        description="null: reported only (the shop never deletes panel clients it did not create)"
    )


class DriftReport(BaseModel):
    """The latest reconciliation of every active server."""

    generated_at: datetime | None
    servers: list[dict[str, Any]] = Field(description="per server: id, name, clients, error")
    items: list[DriftItem]


class FixBody(BaseModel):
    """Which drift item to fix."""

    item_id: str = Field(min_length=1, max_length=300)


class Accepted(BaseModel):
    """Work queued for the worker."""

    status: Literal["queued"] = "queued"
    detail: str
