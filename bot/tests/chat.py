"""A small DSL over the Bot API emulator's control routes: a person chatting with the bot.

    chat = await emulator.chat()
    await chat.send("/start")
    await chat.press("🎯 Тарифы")          # an inline button of the newest screen, else the reply keyboard
    assert "Нидерланды" in chat.last.text
    await chat.wait_for("Оплата получена")  # something the worker sends later

Every action waits until the bot has handled the update, then re-reads the chat; every button press
checks that the bot answered the callback (no spinning button).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Button:
    """An inline button."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class Msg:
    """A message as the chat shows it now (after edits)."""

    message_id: int
    text: str
    method: str
    edited: int
    has_photo: bool
    reply_markup: dict[str, Any] | None

    @property
    def buttons(self) -> list[Button]:
        """Inline buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [Button(b["text"], b.get("callback_data"), b.get("url")) for row in rows for b in row]

    @property
    def labels(self) -> list[str]:
        """Texts of the inline buttons."""
        return [b.text for b in self.buttons]

    def button(self, label: str) -> Button:
        """The button with exactly this text, else the only one containing it."""
        exact = [b for b in self.buttons if b.text == label]
        partial = [b for b in self.buttons if label in b.text]
        found = exact or partial
        if len(found) != 1:
            raise AssertionError(f"{len(found)} buttons match {label!r} in {self.labels}")
        return found[0]


@dataclass
class Chat:
    """One Telegram user's private chat with the bot."""

    emulator: Emulator
    user_id: int
    profile: dict[str, Any]
    messages: list[Msg] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    answers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def last(self) -> Msg:
        """The newest message."""
        if not self.messages:
            raise AssertionError("the bot has sent nothing to this chat")
        return self.messages[-1]

    @property
    def texts(self) -> list[str]:
        """Texts of every message, oldest first."""
        return [m.text for m in self.messages]

    @property
    def screen(self) -> Msg:
        """The newest message with inline buttons: the screen the user acts on."""
        for m in reversed(self.messages):
            if m.buttons:
                return m
        raise AssertionError(f"no message with buttons in {self.texts}")

    @property
    def keyboard_labels(self) -> list[str]:
        """The reply keyboard's buttons."""
        return [label for row in self.reply_keyboard or [] for label in row]

    async def refresh(self) -> None:
        """Re-read the chat from the emulator."""
        state = await self.emulator.get("/_emulator/chat", chat_id=self.user_id)
        self.messages = [
            Msg(m["message_id"], m["text"] or "", m["method"], m["edited"], m["has_photo"], m["reply_markup"])
            for m in state["messages"]
        ]
        self.reply_keyboard = state["reply_keyboard"]
        self.answers = state["callback_answers"]
        if state["unanswered_callbacks"]:
            raise AssertionError(f"the bot left button presses unanswered: {state['unanswered_callbacks']}")

    async def send(self, text: str) -> None:
        """The user types `text`."""
        update = await self.emulator.post(
            "/_emulator/updates", {"user_id": self.user_id, "text": text, "profile": self.profile}
        )
        await self.emulator.processed(update["update_id"])
        await self.refresh()

    async def press(self, label: str) -> None:
        """Press an inline button of the current screen, or else a button of the reply keyboard."""
        await self.refresh()
        try:
            screen = self.screen
            button = screen.button(label)
        except AssertionError:
            if label in self.keyboard_labels:
                await self.send(label)
                return
            raise
        if button.callback_data is None:
            raise AssertionError(f"{label!r} is a link button ({button.url}), nothing to press")
        update = await self.emulator.post(
            "/_emulator/callback",
            {"user_id": self.user_id, "message_id": screen.message_id, "data": button.callback_data},
        )
        await self.emulator.processed(update["update_id"])
        await self.refresh()

    async def press_data(self, message_id: int, data: str) -> None:
        """Press a button by its callback data (e.g. one on an old message)."""
        update = await self.emulator.post(
            "/_emulator/callback", {"user_id": self.user_id, "message_id": message_id, "data": data}
        )
        await self.emulator.processed(update["update_id"])
        await self.refresh()

    async def wait_for(self, expected: str | Callable[[Msg], bool], timeout: float = 20) -> Msg:
        """Wait for a message containing `expected` (or matching it), e.g. one the worker sends."""
        match = (lambda m: expected in m.text) if isinstance(expected, str) else expected
        deadline = time.monotonic() + timeout
        while True:
            await self.refresh()
            for m in reversed(self.messages):
                if match(m):
                    return m
            if time.monotonic() > deadline:
                raise AssertionError(f"no message matched {expected!r}; the chat holds {self.texts}")
            await asyncio.sleep(0.1)


class Emulator:
    """The emulator's control routes, and its Bot API as the bot would call it."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=30)
        self.token = token

    async def close(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def get(self, path: str, **params: Any) -> Any:
        """GET a control route."""
        resp = await self.http.get(path, params=params)
        resp.raise_for_status()
        return resp.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST a control route."""
        resp = await self.http.post(path, json=body)
        if resp.status_code != 200:
            raise AssertionError(f"{path}: {resp.status_code} {resp.text}")
        return resp.json()

    async def bot_api(self, method: str, **params: Any) -> Any:
        """Call the Bot API as the bot (e.g. to leave an old-style message in a chat)."""
        resp = await self.http.post(f"/bot{self.token}/{method}", json=params)
        body = resp.json()
        if not body.get("ok"):
            raise AssertionError(f"{method}: {body}")
        return body["result"]

    async def processed(self, update_id: int, timeout: float = 20) -> None:
        """Wait until the bot has handled the update."""
        resp = await self.http.get(
            "/_emulator/processed", params={"update_id": update_id, "timeout": timeout}
        )
        if resp.status_code != 200:
            raise AssertionError(f"the bot did not handle update {update_id} within {timeout} s")

    async def chat(
        self,
        user_id: int,
        *,
        first_name: str = "Anna",
        language_code: str | None = "ru",
        username: str | None = None,
    ) -> Chat:
        """A new chat with the bot."""
        profile = {
            "first_name": first_name,
            "language_code": language_code,
            "username": username or f"u{user_id}",
        }
        return Chat(self, user_id, profile)
