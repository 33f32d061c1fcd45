"""Bodies of support tickets, for customers and for staff."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.models.enums import MessageAuthor, TicketStatus
from app.users.admin_schemas import UserBrief

# The reply is sent inside a template with the subject; this keeps it under Telegram's 4096.
MAX_TEXT = 3500
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]


class TicketCreate(BaseModel):
    """A new ticket with its first message."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"subject": "Не подключается", "text": "Добрый день! VPN в Нидерландах не работает."}
            ]
        }
    )

    subject: Subject
    text: Text


class MessageCreate(BaseModel):
    """A message in a ticket (plain text)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "Спасибо, заработало!"}]})

    text: Text


class TicketMessageRead(BaseModel):
    """A message as the customer sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    author: MessageAuthor
    text: str
    created_at: datetime


class StaffMessageRead(TicketMessageRead):
    """A message as staff see it: who answered and whether Telegram delivered it."""

    admin_id: uuid.UUID | None
    admin_username: str | None = None
    delivered_at: datetime | None = Field(description="staff replies: when the customer received it")


class TicketRead(BaseModel):
    """A ticket without its messages."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject: str
    status: TicketStatus = Field(description="open: waiting for staff; answered: waiting for the customer")
    created_at: datetime
    last_message_at: datetime | None
    closed_at: datetime | None


class CustomerTicket(TicketRead):
    """A ticket with its messages, oldest first."""

    messages: list[TicketMessageRead]


class StaffTicketItem(TicketRead):
    """A ticket in the staff queue."""

    user: UserBrief
    messages_count: int
    last_message_author: MessageAuthor | None


class StaffTicket(TicketRead):
    """A ticket with the customer and every message, for staff."""

    user: UserBrief
    messages: list[StaffMessageRead]
