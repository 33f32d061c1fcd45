"""Chat with a bot in the terminal through the Bot API emulator's control routes (`make chat`).

Type text to send it; type a number to press the button with that number (inline buttons of the
newest screen first, then the reply keyboard); `/quit` or Ctrl-D leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import httpx

POLL_SECONDS = 0.3


@dataclass
class ChatView:
    """What the terminal has shown so far, to print only what changed."""

    seen_edits: dict[int, int] = field(default_factory=dict)
    answers_seen: int = 0
    buttons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def render_message(message: dict[str, Any], *, edited: bool) -> list[str]:
    """Lines for one bot message: a header, its text and its inline buttons (without numbers)."""
    head = "✏️  bot (edited)" if edited else "🤖 bot"
    if message.get("has_photo"):
        head += " [photo]"
    if message.get("invoice"):
        invoice = message["invoice"]
        head += f" [invoice {invoice.get('currency')} {invoice.get('prices')}]"
    lines = [f"── {head} " + "─" * max(0, 40 - len(head))]
    lines.extend((message.get("text") or "").splitlines() or [""])
    return lines


def numbered_buttons(state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Buttons a person can press now: the newest inline keyboard, then the reply keyboard.

    Each button carries its keyboard row (`_row`), so they print as the chat lays them out.
    """
    buttons: list[tuple[str, dict[str, Any]]] = []
    for message in reversed(state["messages"]):
        markup = message.get("reply_markup") or {}
        if "inline_keyboard" in markup:
            for r, row in enumerate(markup["inline_keyboard"]):
                for b in row:
                    buttons.append(("inline", {**b, "message_id": message["message_id"], "_row": r}))
            break
    for r, labels in enumerate(state.get("reply_keyboard") or []):
        for label in labels:
            buttons.append(("reply", {"text": label, "_row": r}))
    return buttons


def render_buttons(buttons: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """`[n] label` lines, one per keyboard row; the reply keyboard marked with ⌨️."""
    rows: dict[tuple[str, int], list[str]] = {}
    for i, (kind, b) in enumerate(buttons, 1):
        label = f"[{i}] {b['text']}" + (f" → {b['url']}" if "url" in b else "")
        rows.setdefault((kind, b["_row"]), []).append(label)
    return [("⌨️  " if kind == "reply" else "   ") + "   ".join(labels) for (kind, _), labels in rows.items()]


class TerminalChat:
    """One person's chat with the bot, over the emulator's control routes."""

    def __init__(self, http: httpx.AsyncClient, user_id: int, *, first_name: str, language: str) -> None:
        self.http = http
        self.user_id = user_id
        self.profile = {"first_name": first_name, "language_code": language, "username": f"user{user_id}"}
        self.view = ChatView()

    async def state(self) -> dict[str, Any]:
        """The chat as the emulator holds it."""
        resp = await self.http.get("/_emulator/chat", params={"chat_id": self.user_id})
        resp.raise_for_status()
        body: dict[str, Any] = resp.json()
        return body

    async def refresh(self) -> list[str]:
        """Lines to print for what changed since the last refresh."""
        state = await self.state()
        lines: list[str] = []
        changed = False
        for message in state["messages"]:
            known = self.view.seen_edits.get(message["message_id"])
            if known is None or known != message["edited"]:
                lines.extend(render_message(message, edited=known is not None))
                self.view.seen_edits[message["message_id"]] = message["edited"]
                changed = True
        for answer in state["callback_answers"][self.view.answers_seen :]:
            if answer.get("text"):
                lines.append(("⚠️  " if answer.get("show_alert") else "💬 ") + str(answer["text"]))
        self.view.answers_seen = len(state["callback_answers"])
        if changed:
            self.view.buttons = numbered_buttons(state)
            lines.extend(render_buttons(self.view.buttons))
        return lines

    async def handle_input(self, line: str) -> str | None:
        """Send text or press a numbered button; returns a line to print when the input was not usable."""
        line = line.strip()
        if not line:
            return None
        if line.isdigit() and 1 <= int(line) <= len(self.view.buttons):
            kind, button = self.view.buttons[int(line) - 1]
            if kind == "reply":
                return await self._send_text(button["text"])
            if "callback_data" in button:
                resp = await self.http.post(
                    "/_emulator/callback",
                    json={
                        "user_id": self.user_id,
                        "message_id": button["message_id"],
                        "data": button["callback_data"],
                    },
                )
                return None if resp.status_code == 200 else f"(button not pressable: {resp.text})"
            return f"(a link button: {button.get('url') or button.get('copy_text') or button})"
        return await self._send_text(line)

    async def _send_text(self, text: str) -> str | None:
        resp = await self.http.post(
            "/_emulator/updates", json={"user_id": self.user_id, "text": text, "profile": self.profile}
        )
        return None if resp.status_code == 200 else f"(not sent: {resp.text})"


async def _printer(chat: TerminalChat) -> None:
    while True:
        try:
            for line in await chat.refresh():
                print(line, flush=True)
        except httpx.HTTPError as exc:
            print(f"(emulator unreachable: {type(exc).__name__})", flush=True)
            await asyncio.sleep(2)
        await asyncio.sleep(POLL_SECONDS)


async def run_chat(url: str, user_id: int, *, first_name: str = "Demo", language: str = "ru") -> None:
    """Read lines from the terminal and show the bot's answers until /quit or end of input."""
    async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=10) as http:
        chat = TerminalChat(http, user_id, first_name=first_name, language=language)
        print(
            f"Chatting as {first_name} (Telegram id {user_id}). Type a message, a number to press "
            "that button, /quit to leave. Start with /start.",
            flush=True,
        )
        printer = asyncio.create_task(_printer(chat))
        try:
            while True:
                try:
                    line = await asyncio.to_thread(input, "")
                except EOFError:
                    break
                if line.strip() in {"/quit", "/exit"}:
                    break
                problem = await chat.handle_input(line)
                if problem:
                    print(problem, flush=True)
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer
