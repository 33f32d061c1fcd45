"""Staff replies reach the customer in Telegram; the message is marked delivered once sent."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.kit.time import utcnow
from app.models import Ticket, TicketMessage, User
from app.notifications.tasks import bot_client, deliver
from app.notifications.texts import render
from app.worker.context import JobContext, job


@job("support.deliver_reply")
async def deliver_reply(ctx: JobContext, message_id: str) -> str:
    """Send one staff reply as the "ticket_answered" text; a delivered reply is never sent again."""
    client = bot_client(ctx)
    if client is None:
        return "skipped: no TELEGRAM_BOT_TOKEN"
    async with ctx["sessionmaker"]() as session:
        # The row lock keeps a second run of this job from sending while the first one is sending.
        stmt = (
            select(TicketMessage, Ticket, User)
            .join(Ticket, Ticket.id == TicketMessage.ticket_id)
            .join(User, User.id == Ticket.user_id)
            .where(TicketMessage.id == uuid.UUID(message_id))
            .with_for_update(of=TicketMessage)
        )
        row = (await session.execute(stmt)).first()
        if row is None:
            return "skipped: unknown message"
        message, ticket, user = row
        if message.delivered_at is not None:
            return "already delivered"
        text = render("ticket_answered", user.language, {"subject": ticket.subject, "text": message.text})
        chat_id = user.telegram_id
        outcome = await deliver(
            ctx, session, user, "ticket_answered", lambda: client.send_message(chat_id, text)
        )
        if outcome == "sent":
            message.delivered_at = utcnow()
            await session.commit()
        return outcome
