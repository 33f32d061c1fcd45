"""A Bot API session that records what the bot sends and answers like Telegram would.

Faster than the emulator for checks of one handler or middleware (`Dispatcher.feed_update`).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    PreCheckoutQuery,
    Update,
    User,
)

BOT_TOKEN = "123456:TEST-token-for-recording-session"
BOT_USER = User(id=123456, is_bot=True, first_name="VPN Shop", username="recording_bot")


class RecordingSession(BaseSession):
    """Records every method call; supports the methods the bot uses and refuses the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self._ids = itertools.count(1000)
        self.texts: dict[int, str] = {}
        self.answered: set[str] = set()

    async def close(self) -> None:
        """Nothing to close."""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> Any:
        """Record the call and return a Telegram-shaped result."""
        self.calls.append(method)
        if isinstance(method, SendMessage):
            assert 1 <= len(method.text) <= 4096, "Telegram rejects empty or over-long texts"
            message_id = next(self._ids)
            self.texts[message_id] = method.text
            return Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=method.text,
            )
        if isinstance(method, EditMessageText):
            assert method.message_id is not None
            if self.texts.get(method.message_id) == method.text:
                raise TelegramBadRequest(method, "Bad Request: message is not modified")
            if method.message_id not in self.texts:
                raise TelegramBadRequest(method, "Bad Request: message to edit not found")
            self.texts[method.message_id] = method.text
            return Message(
                message_id=method.message_id,
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id or 0), type="private"),
                text=method.text,
            )
        if isinstance(method, AnswerCallbackQuery):
            if method.callback_query_id in self.answered:
                self.calls.pop()
                raise TelegramBadRequest(method, "Bad Request: query is too old and response timeout expired")
            self.answered.add(method.callback_query_id)
            return True
        if isinstance(method, AnswerPreCheckoutQuery | EditMessageReplyMarkup):
            return True
        if isinstance(method, GetMe):
            return BOT_USER
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

    def of(self, kind: type[TelegramMethod[Any]]) -> list[Any]:
        """The recorded calls of one method."""
        return [c for c in self.calls if isinstance(c, kind)]

    def sent_texts(self) -> list[str]:
        """Texts of every sendMessage so far."""
        return [c.text for c in self.of(SendMessage)]

    def seed_message(self, text: str) -> int:
        """A message the bot sent earlier (so it can be edited)."""
        message_id = next(self._ids)
        self.texts[message_id] = text
        return message_id


_update_ids = itertools.count(1)


def tg_user(user_id: int, language_code: str | None = "ru", first_name: str = "Anna") -> User:
    """A Telegram user."""
    return User(
        id=user_id, is_bot=False, first_name=first_name, language_code=language_code, username=f"u{user_id}"
    )


def text_update(
    text: str, *, user_id: int = 42, language_code: str | None = "ru", first_name: str = "Anna"
) -> Update:
    """An update carrying a private text message from a user."""
    return Update(
        update_id=next(_update_ids),
        message=Message(
            message_id=next(_update_ids),
            date=datetime.now(UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=tg_user(user_id, language_code, first_name),
            text=text,
        ),
    )


def callback_update(
    data: str, *, message_id: int, user_id: int = 42, language_code: str | None = "ru"
) -> Update:
    """An update carrying a button press on the bot's message `message_id`."""
    return Update(
        update_id=next(_update_ids),
        callback_query=CallbackQuery(
            id=str(next(_update_ids)),
            from_user=tg_user(user_id, language_code),
            chat_instance=str(user_id),
            data=data,
            message=Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=Chat(id=user_id, type="private"),
                from_user=BOT_USER,
                text="screen",
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[]),
            ),
        ),
    )


def pre_checkout_update(*, user_id: int = 42) -> Update:
    """An update carrying a Telegram Stars pre-checkout query."""
    return Update(
        update_id=next(_update_ids),
        pre_checkout_query=PreCheckoutQuery(
            id=str(next(_update_ids)),
            from_user=tg_user(user_id),
            currency="XTR",
            total_amount=50,
            invoice_payload="payment:1",
        ),
    )
