"""Bodies of broadcasts: the text, the segment, progress."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.integrations.telegram.html import TelegramHtml
from app.models.enums import BroadcastStatus, DeliveryStatus

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class SegmentKind(enum.StrEnum):
    """Who receives a broadcast (blocked customers and those who blocked the bot never do)."""

    all = "all"
    active = "active"
    expired = "expired"
    never_paid = "never_paid"
    location = "location"
    language = "language"


class Segment(BaseModel):
    """A segment of customers.

    `all`: everyone; `active`: has an active subscription; `expired`: had subscriptions, none active;
    `never_paid`: never paid; `location`: has an active subscription in `location_id`; `language`: speaks
    `language`. `language` also narrows any other kind (e.g. active customers who speak English).
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "active"}, {"kind": "language", "language": "en"}]},
    )

    kind: SegmentKind = SegmentKind.all
    location_id: uuid.UUID | None = None
    language: Language | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Segment:
        if self.kind == SegmentKind.location and self.location_id is None:
            raise ValueError("a location segment needs location_id")
        if self.kind != SegmentKind.location and self.location_id is not None:
            raise ValueError("location_id belongs to the location segment only")
        if self.kind == SegmentKind.language and self.language is None:
            raise ValueError("a language segment needs language")
        return self


class BroadcastCreate(BaseModel):
    """A new broadcast (a draft until started)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "🔥 <b>Скидка 20%</b> на 6 месяцев до воскресенья!",
                    "segment": {"kind": "expired"},
                }
            ]
        }
    )

    text: TelegramHtml
    segment: Segment = Field(default_factory=Segment)


class BroadcastUpdate(BaseModel):
    """Changes to a draft; only the fields sent change."""

    text: TelegramHtml | None = None
    segment: Segment | None = None


class PreviewRequest(BaseModel):
    """A text and/or a segment to preview before creating or starting a broadcast."""

    text: TelegramHtml | None = None
    segment: Segment = Field(default_factory=Segment)


class PreviewResult(BaseModel):
    """What recipients will see and how many there are right now."""

    text: str | None = Field(description="the text without markup, as a chat shows it")
    length: int | None = Field(description="visible length as Telegram counts it (limit 4096)")
    recipients: int


class BroadcastRead(BaseModel):
    """A broadcast with its counters (updated by the sender about once a second)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    text: str
    parse_mode: str | None
    segment: Segment
    status: BroadcastStatus
    total: int = Field(description="recipients frozen at start")
    sent: int
    failed: int = Field(description="includes deliveries whose outcome is unknown after a crash")
    blocked: int = Field(description="recipients who blocked the bot")
    last_error: str | None
    created_by_id: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class Progress(BaseModel):
    """Live state of every delivery of a broadcast."""

    pending: int
    sending: int
    sent: int
    failed: int
    unknown: int = Field(description="failed ones whose outcome is unknown (in flight during a crash)")
    blocked: int
    percent: float = Field(description="share of deliveries finished, 0-100")


class BroadcastDetail(BroadcastRead):
    """A broadcast with live progress."""

    progress: Progress


class DeliveryRead(BaseModel):
    """One recipient of a broadcast."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    user_id: uuid.UUID
    telegram_id: int
    status: DeliveryStatus
    error: str | None
    sent_at: datetime | None


def segment_json(segment: Segment) -> dict[str, Any]:
    """The segment as stored in broadcasts.segment."""
    return segment.model_dump(mode="json", exclude_none=True)
