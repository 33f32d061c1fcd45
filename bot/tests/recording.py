"""A Bot API session that records what the bot sends and answers like Telegram would."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, Update, User

BOT_TOKEN = "123456:TEST-token-for-recording-session"


class RecordingSession(BaseSession):
    """Records every method call; supports the methods the tests need and refuses the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        """Nothing to close."""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> Any:
        """Record the call and return a Telegram-shaped result."""
        self.calls.append(method)
        if isinstance(method, SendMessage):
            assert 1 <= len(method.text) <= 4096, "Telegram rejects empty or over-long texts"
            return Message(
                message_id=next(self._ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=method.text,
            )
        if isinstance(method, AnswerCallbackQuery):
            return True
        raise AssertionError(f"unexpected Bot API method {type(method).__name__}")

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """Not used by the bot."""
        raise AssertionError("no downloads expected")
        yield b""  # pragma: no cover

    def sent_texts(self) -> list[str]:
        """Texts of every sendMessage so far."""
        return [c.text for c in self.calls if isinstance(c, SendMessage)]


_update_ids = itertools.count(1)


def text_update(
    text: str, *, user_id: int = 42, language_code: str | None = "ru", first_name: str = "Anna"
) -> Update:
    """An update carrying a private text message from a user."""
    user = User(
        id=user_id, is_bot=False, first_name=first_name, language_code=language_code, username=f"u{user_id}"
    )
    return Update(
        update_id=next(_update_ids),
        message=Message(
            message_id=next(_update_ids),
            date=datetime.now(UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=user,
            text=text,
        ),
    )
