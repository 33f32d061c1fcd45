"""A local Telegram Bot API: validates like Telegram, records what the bot sent, feeds it updates.

Wire protocol: `POST|GET /bot<token>/<method>` with JSON, form or multipart parameters (nested objects
such as reply_markup as JSON strings), answered with `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": "..."}` (+ `parameters.retry_after` on 429).

Tests use the Python API (`emulator.sent`, `emulator.push_text(...)`); other processes use the control
routes under `/_emulator/` (see `control_routes`), e.g. after `python -m fakes.telegram serve --port P
--token T`. Like Telegram, updates go either to getUpdates (long polling) or, once setWebhook was called,
to the webhook URL with the secret token header, never both.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "a",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class SentMessage:
    """A message the bot sent (or edited), as a chat would show it."""

    message_id: int
    chat_id: int
    method: str
    text: str | None
    reply_markup: dict[str, Any] | None
    parse_mode: str | None
    photo: bytes | None = None
    invoice: dict[str, Any] | None = None
    edited: int = 0
    deleted: bool = False

    def buttons(self) -> list[dict[str, Any]]:
        """Every inline button, row by row."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [b for row in self.reply_markup["inline_keyboard"] for b in row]

    def button(self, text_part: str) -> dict[str, Any]:
        """The inline button whose text contains `text_part`."""
        for b in self.buttons():
            if text_part in b["text"]:
                return b
        raise KeyError(f"no button with {text_part!r} in {[b['text'] for b in self.buttons()]}")


class _HtmlChecker(HTMLParser):
    """Telegram refuses unknown tags and unbalanced markup: 'can't parse entities'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees, after Telegram parses the markup; raises on bad markup."""
    if parse_mode is None or parse_mode == "":
        return text
    if parse_mode == "HTML":
        checker = _HtmlChecker()
        checker.feed(text)
        checker.close()
        if checker.stack:
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: Can't find end tag corresponding to "
                f'start tag "{checker.stack[-1]}"',
            )
        return "".join(checker.text)
    if parse_mode in ("MarkdownV2", "Markdown"):
        return re.sub(r"\\(.)", r"\1", text)
    raise ApiError(400, "Bad Request: unsupported parse_mode")


def _check_inline_button(b: Any) -> None:
    if not isinstance(b, dict) or not isinstance(b.get("text"), str) or not b["text"]:
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed "
            "in the inline keyboard",
        )
    kinds = [
        k
        for k in (
            "url",
            "callback_data",
            "web_app",
            "login_url",
            "switch_inline_query",
            "pay",
            "copy_text",
            "switch_inline_query_current_chat",
        )
        if k in b
    ]
    if len(kinds) != 1:
        raise ApiError(
            400, "Bad Request: can't parse inline keyboard button: exactly one optional field must be used"
        )
    if "callback_data" in b:
        data = b["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in b and not re.match(r"^(https?|tg)://", str(b["url"])):
        raise ApiError(400, "Bad Request: inline keyboard button URL is invalid")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a reply_markup the way Telegram does; returns it parsed."""
    if markup is None:
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: reply markup must be an object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays')
        for row in rows:
            for b in row:
                _check_inline_button(b)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not rows or not all(isinstance(r, list) and r for r in rows):
            raise ApiError(400, "Bad Request: keyboard must be non-empty")
        for row in rows:
            for b in row:
                label = b.get("text") if isinstance(b, dict) else b
                if not isinstance(label, str) or not label:
                    raise ApiError(400, "Bad Request: keyboard button text is empty")
    elif not ({"remove_keyboard", "force_reply"} & set(markup)):
        raise ApiError(400, "Bad Request: unsupported reply markup")
    return markup


@dataclass
class Limits:
    """Flood control like Telegram's: about 30 messages/s overall and 1/s per chat."""

    enabled: bool = False
    global_per_second: int = 30
    per_chat_per_second: float = 1.0
    _global: deque[float] = field(default_factory=deque)
    _chat_last: dict[int, float] = field(default_factory=dict)
    throttled: int = 0

    def check(self, chat_id: int) -> None:
        """Raise 429 when the bot sends faster than allowed."""
        if not self.enabled:
            return
        now = time.monotonic()
        while self._global and now - self._global[0] >= 1:
            self._global.popleft()
        if len(self._global) >= self.global_per_second:
            self.throttled += 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        last = self._chat_last.get(chat_id)
        if last is not None and now - last < 1 / self.per_chat_per_second:
            self.throttled += 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._global.append(now)
        self._chat_last[chat_id] = now


class BotApiEmulator:
    """The state of one emulated bot: chats, messages, pending updates."""

    def __init__(self, token: str, *, username: str = "vpnshop_test_bot", bot_id: int | None = None) -> None:
        self.token = token
        self.bot_id = bot_id or int(token.split(":", 1)[0])
        self.username = username
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.known_chats: set[int] = set()
        self.blocked_chats: set[int] = set()
        self.users: dict[int, dict[str, Any]] = {}
        self.limits = Limits()
        self.answered_callbacks: list[dict[str, Any]] = []
        self.pre_checkout_answers: list[dict[str, Any]] = []
        self.refunds: list[dict[str, Any]] = []
        self.invoice_links: list[dict[str, Any]] = []
        self.accept_unknown_chats = True
        self.webhook: dict[str, Any] | None = None
        self.webhook_errors: list[str] = []
        self._ids = itertools.count(100)
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._processed = asyncio.Condition()
        self._processed_up_to = 0
        self._pending_callbacks: dict[str, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._delivery: asyncio.Task[None] | None = None
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle, methods=["GET", "POST"]),
                Route("/_emulator/updates", self._control_push, methods=["POST"]),
                Route("/_emulator/callback", self._control_callback, methods=["POST"]),
                Route("/_emulator/processed", self._control_processed, methods=["GET"]),
                Route("/_emulator/sent", self._control_sent, methods=["GET"]),
                Route("/_emulator/chat", self._control_chat, methods=["GET"]),
                Route("/_emulator/block", self._control_block, methods=["POST"]),
                Route("/_emulator/limits", self._control_limits, methods=["POST"]),
                Route("/_emulator/state", self._control_state, methods=["GET"]),
            ]
        )

    # --- what tests read -------------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Every live message in a chat, oldest first."""
        return [m for m in self.sent if m.chat_id == chat_id and not m.deleted]

    def last_to(self, chat_id: int) -> SentMessage:
        """The newest message in a chat."""
        msgs = self.messages_to(chat_id)
        if not msgs:
            raise AssertionError(f"the bot sent nothing to {chat_id}")
        return msgs[-1]

    def reply_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """The reply keyboard the chat shows now: the newest one sent, unless removed since."""
        for m in reversed(self.messages_to(chat_id)):
            markup = m.reply_markup or {}
            if "keyboard" in markup:
                return [
                    [b["text"] if isinstance(b, dict) else str(b) for b in row] for row in markup["keyboard"]
                ]
            if markup.get("remove_keyboard"):
                return None
        return None

    def callback_answers(self, chat_id: int) -> list[dict[str, Any]]:
        """Answers to the callback queries pressed in a chat, oldest first."""
        return [a for a in self.answered_callbacks if a.get("_chat_id") == chat_id]

    @property
    def unanswered_callbacks(self) -> list[dict[str, Any]]:
        """Callback queries the bot has not answered (the user's button is still spinning)."""
        return list(self._pending_callbacks.values())

    # --- what users do ---------------------------------------------------------------------------

    def _user(self, user_id: int, **profile: Any) -> dict[str, Any]:
        user = self.users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "ru"}
        )
        user.update({k: v for k, v in profile.items() if v is not None})
        self.known_chats.add(user_id)
        return user

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for getUpdates."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    def push_text(self, user_id: int, text: str, **profile: Any) -> dict[str, Any]:
        """The user sends a text message."""
        user = self._user(user_id, **profile)
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push_update({"message": message})

    def push_callback(self, user_id: int, message: SentMessage, data: str) -> dict[str, Any]:
        """The user presses an inline button of `message`."""
        if data not in {b.get("callback_data") for b in message.buttons()}:
            raise AssertionError(f"message {message.message_id} has no button with data {data!r}")
        user = self._user(user_id)
        query_id = str(next(self._ids))
        self._pending_callbacks[query_id] = {"id": query_id, "chat_id": message.chat_id, "data": data}
        return self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "chat_instance": str(user_id),
                    "data": data,
                    "message": self._message_json(message),
                }
            }
        )

    async def wait_processed(self, update_id: int, within: float) -> bool:
        """Wait until the bot has handled `update_id`: it asked getUpdates for a later offset (polling)
        or its webhook answered that delivery."""
        async with self._processed:
            try:
                await asyncio.wait_for(
                    self._processed.wait_for(lambda: self._processed_up_to >= update_id), within
                )
            except TimeoutError:
                return False
        return True

    async def _mark_processed(self, update_id: int) -> None:
        async with self._processed:
            if update_id > self._processed_up_to:
                self._processed_up_to = update_id
                self._processed.notify_all()

    def _message_json(self, m: SentMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": m.message_id,
            "date": int(time.time()),
            "chat": {"id": m.chat_id, "type": "private"},
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Bot", "username": self.username},
        }
        if m.photo is not None:
            body["photo"] = [
                {
                    "file_id": f"photo{m.message_id}",
                    "file_unique_id": f"u{m.message_id}",
                    "width": 512,
                    "height": 512,
                }
            ]
            if m.text:
                body["caption"] = m.text
        elif m.text is not None:
            body["text"] = m.text
        if m.reply_markup and "inline_keyboard" in m.reply_markup:
            body["reply_markup"] = m.reply_markup
        return body

    # --- the Bot API ---------------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            ctype = request.headers.get("content-type", "")
            if ctype.startswith("application/json"):
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            elif ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
                form = await request.form()
                for key, value in form.multi_items():
                    params[key] = await value.read() if isinstance(value, UploadFile) else value
        return params

    async def _handle(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        handler = getattr(self, f"m_{method}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status_code=404,
            )
        try:
            result = await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
        except ApiError as exc:
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return JSONResponse(body, status_code=exc.code)
        return JSONResponse({"ok": True, "result": result})

    def _chat(self, params: dict[str, Any]) -> int:
        raw = params.get("chat_id")
        try:
            chat_id = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ApiError(
                400, "Bad Request: chat_id is empty" if raw in (None, "") else "Bad Request: chat not found"
            ) from None
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.known_chats and not self.accept_unknown_chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _bool(value: Any) -> bool:
        return value in (True, "true", "True", "1", 1)

    def m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "VPN Shop",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 5.0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            await self._mark_processed(offset - 1)
        if not self._updates and timeout:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except TimeoutError:
                return []
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]

    async def m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self.m_deleteWebhook(params)
        if not re.match(r"^https?://", url):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if self._bool(params.get("drop_pending_updates")):
            self._updates.clear()
        self.webhook = {"url": url, "secret_token": secret}
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.create_task(self._deliver_to_webhook())
        self._new_update.set()
        return True

    async def m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if self._bool(params.get("drop_pending_updates")):
            self._updates.clear()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None
        return True

    def m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _deliver_to_webhook(self) -> None:
        """Post pending updates to the webhook one by one, in order, retrying like Telegram does."""
        async with httpx.AsyncClient(timeout=30) as http:
            while self.webhook is not None:
                if not self._updates:
                    self._new_update.clear()
                    await self._new_update.wait()
                    continue
                update = self._updates[0]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = str(self.webhook["secret_token"])
                try:
                    resp = await http.post(self.webhook["url"], json=update, headers=headers)
                    ok = resp.status_code == 200
                    if not ok:
                        self.webhook_errors.append(f"Wrong response from the webhook: {resp.status_code}")
                except httpx.HTTPError as exc:
                    ok = False
                    self.webhook_errors.append(f"Connection failed: {type(exc).__name__}")
                if not ok:
                    await asyncio.sleep(0.2)
                    continue
                self._updates.pop(0)
                await self._mark_processed(update["update_id"])

    def m_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    def _new_message(
        self,
        chat_id: int,
        method: str,
        text: str | None,
        params: dict[str, Any],
        photo: bytes | None = None,
        invoice: dict[str, Any] | None = None,
    ) -> SentMessage:
        msg = SentMessage(
            message_id=next(self._ids),
            chat_id=chat_id,
            method=method,
            text=text,
            reply_markup=check_reply_markup(params.get("reply_markup")),
            parse_mode=params.get("parse_mode"),
            photo=photo,
            invoice=invoice,
        )
        self.sent.append(msg)
        self._messages[(chat_id, msg.message_id)] = msg
        return msg

    def m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        visible = plain_text(text, params.get("parse_mode"))
        if len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        check_reply_markup(params.get("reply_markup"))
        self.limits.check(chat_id)
        return self._message_json(self._new_message(chat_id, "sendMessage", visible, params))

    def m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        photo = params.get("photo")
        if not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if (
            isinstance(photo, bytes)
            and not photo.startswith(b"\x89PNG")
            and not photo.startswith(b"\xff\xd8")
        ):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption = params.get("caption")
        visible = plain_text(caption, params.get("parse_mode")) if caption else None
        if visible and len(visible) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        self.limits.check(chat_id)
        data = photo if isinstance(photo, bytes) else str(photo).encode()
        return self._message_json(self._new_message(chat_id, "sendPhoto", visible, params, photo=data))

    def _edit_target(self, params: dict[str, Any]) -> SentMessage:
        chat_id = self._chat(params)
        try:
            message_id = int(params.get("message_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: message identifier is not specified") from None
        msg = self._messages.get((chat_id, message_id))
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    def m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._edit_target(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if msg.photo is not None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        visible = plain_text(text, params.get("parse_mode"))
        if len(visible) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        if visible == msg.text and markup == msg.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        msg.text, msg.reply_markup, msg.edited = visible, markup, msg.edited + 1
        return self._message_json(msg)

    def m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._edit_target(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if markup == msg.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        msg.reply_markup, msg.edited = markup, msg.edited + 1
        return self._message_json(msg)

    def m_deleteMessage(self, params: dict[str, Any]) -> bool:
        msg = self._edit_target(params)
        msg.deleted = True
        return True

    def m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        # A query can be answered once; a second answer (or an unknown id) is refused like Telegram does.
        query = self._pending_callbacks.pop(str(params.get("callback_query_id") or ""), None)
        if query is None:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered_callbacks.append(
            {
                **params,
                "_chat_id": query["chat_id"],
                "_data": query["data"],
                "show_alert": self._bool(params.get("show_alert")),
            }
        )
        return True

    def _check_invoice(self, params: dict[str, Any]) -> dict[str, Any]:
        title, description, payload = params.get("title"), params.get("description"), params.get("payload")
        if not title or len(str(title)) > 32:
            raise ApiError(400, "Bad Request: INVOICE_TITLE_INVALID")
        if not description or len(str(description)) > 255:
            raise ApiError(400, "Bad Request: INVOICE_DESCRIPTION_INVALID")
        if not payload or len(str(payload).encode()) > 128:
            raise ApiError(400, "Bad Request: INVOICE_PAYLOAD_INVALID")
        prices = params.get("prices")
        if isinstance(prices, str):
            prices = json.loads(prices)
        if params.get("currency") == "XTR":
            if params.get("provider_token") not in (None, ""):
                raise ApiError(
                    400, "Bad Request: provider_token must be empty for payments in Telegram Stars"
                )
            if not isinstance(prices, list) or len(prices) != 1:
                raise ApiError(400, "Bad Request: STARS_INVOICE_INVALID")
        if (
            not isinstance(prices, list)
            or not prices
            or not all(
                isinstance(p, dict) and isinstance(p.get("amount"), int) and p["amount"] > 0 for p in prices
            )
        ):
            raise ApiError(400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        return {
            "title": title,
            "description": description,
            "payload": payload,
            "currency": params.get("currency"),
            "prices": prices,
        }

    def m_createInvoiceLink(self, params: dict[str, Any]) -> str:
        invoice = self._check_invoice(params)
        slug = f"inv{next(self._ids)}"
        self.invoice_links.append({**invoice, "slug": slug})
        return f"https://t.me/${slug}"

    def m_sendInvoice(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        invoice = self._check_invoice(params)
        self.limits.check(chat_id)
        return self._message_json(
            self._new_message(chat_id, "sendInvoice", invoice["title"], params, invoice=invoice)
        )

    def m_answerPreCheckoutQuery(self, params: dict[str, Any]) -> bool:
        ok = self._bool(params.get("ok"))
        if not params.get("pre_checkout_query_id"):
            raise ApiError(400, "Bad Request: QUERY_ID_INVALID")
        if not ok and not params.get("error_message"):
            raise ApiError(400, "Bad Request: error_message is required when ok is false")
        self.pre_checkout_answers.append({**params, "ok": ok})
        return True

    def m_refundStarPayment(self, params: dict[str, Any]) -> bool:
        if not params.get("user_id") or not params.get("telegram_payment_charge_id"):
            raise ApiError(400, "Bad Request: CHARGE_ID_EMPTY")
        charge = str(params["telegram_payment_charge_id"])
        if any(r["telegram_payment_charge_id"] == charge for r in self.refunds):
            raise ApiError(400, "Bad Request: CHARGE_ALREADY_REFUNDED")
        self.refunds.append({"user_id": int(params["user_id"]), "telegram_payment_charge_id": charge})
        return True

    # --- control routes for other processes ------------------------------------------------------------

    async def _control_push(self, request: Request) -> JSONResponse:
        body = await request.json()
        if "text" in body:
            update = self.push_text(int(body["user_id"]), str(body["text"]), **body.get("profile", {}))
        else:
            update = self.push_update(body["update"])
        return JSONResponse(update)

    async def _control_callback(self, request: Request) -> JSONResponse:
        """Press an inline button: `{"user_id", "message_id", "data"}` or `{..., "text"}` (the label)."""
        body = await request.json()
        user_id = int(body["user_id"])
        msg = self._messages.get((user_id, int(body["message_id"])))
        if msg is None or msg.deleted:
            return JSONResponse({"error": "no such message in this chat"}, status_code=404)
        data = body.get("data")
        if data is None:
            try:
                data = msg.button(str(body["text"])).get("callback_data")
            except KeyError as exc:
                return JSONResponse({"error": str(exc)}, status_code=404)
        try:
            update = self.push_callback(user_id, msg, str(data))
        except AssertionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse(update)

    async def _control_processed(self, request: Request) -> JSONResponse:
        """Wait (up to `timeout` s) until the bot has handled `update_id`."""
        update_id = int(request.query_params["update_id"])
        timeout = min(float(request.query_params.get("timeout", 10)), 60)
        done = await self.wait_processed(update_id, timeout)
        return JSONResponse({"processed": done}, status_code=200 if done else 408)

    @staticmethod
    def _message_view(index: int, m: SentMessage) -> dict[str, Any]:
        return {
            "message_id": m.message_id,
            "chat_id": m.chat_id,
            "method": m.method,
            "text": m.text,
            "reply_markup": m.reply_markup,
            "has_photo": m.photo is not None,
            "invoice": m.invoice,
            "edited": m.edited,
            "deleted": m.deleted,
            "index": index,
        }

    async def _control_sent(self, request: Request) -> JSONResponse:
        chat = request.query_params.get("chat_id")
        after = int(request.query_params.get("after", 0))
        items = [
            self._message_view(i, m)
            for i, m in enumerate(self.sent)
            if i >= after and (chat is None or m.chat_id == int(chat))
        ]
        return JSONResponse(items)

    async def _control_chat(self, request: Request) -> JSONResponse:
        """What one chat shows: its live messages, its reply keyboard, the answers to its button presses."""
        chat_id = int(request.query_params["chat_id"])
        return JSONResponse(
            {
                "messages": [
                    self._message_view(i, m)
                    for i, m in enumerate(self.sent)
                    if m.chat_id == chat_id and not m.deleted
                ],
                "reply_keyboard": self.reply_keyboard(chat_id),
                "callback_answers": [
                    {"data": a["_data"], "text": a.get("text"), "show_alert": a["show_alert"]}
                    for a in self.callback_answers(chat_id)
                ],
                "unanswered_callbacks": [
                    c for c in self._pending_callbacks.values() if c["chat_id"] == chat_id
                ],
            }
        )

    async def _control_block(self, request: Request) -> JSONResponse:
        """`{"user_id", "blocked": true}`: the user blocks (or unblocks) the bot."""
        body = await request.json()
        user_id = int(body["user_id"])
        if body.get("blocked", True):
            self.blocked_chats.add(user_id)
        else:
            self.blocked_chats.discard(user_id)
        return JSONResponse({"blocked": sorted(self.blocked_chats)})

    async def _control_limits(self, request: Request) -> JSONResponse:
        """`{"enabled": true}` turns Telegram's flood limits on."""
        body = await request.json()
        self.limits.enabled = bool(body.get("enabled"))
        return JSONResponse({"enabled": self.limits.enabled, "throttled": self.limits.throttled})

    async def _control_state(self, request: Request) -> JSONResponse:
        """The emulator's own state: webhook, pending updates, delivery errors."""
        return JSONResponse(
            {
                "webhook": self.webhook,
                "pending_updates": len(self._updates),
                "processed_up_to": self._processed_up_to,
                "webhook_errors": self.webhook_errors[-20:],
                "username": self.username,
            }
        )


def by_chat(messages: list[SentMessage]) -> dict[int, list[SentMessage]]:
    """Group messages per chat."""
    grouped: dict[int, list[SentMessage]] = defaultdict(list)
    for m in messages:
        grouped[m.chat_id].append(m)
    return grouped


def main(argv: list[str] | None = None) -> None:
    """`python -m fakes.telegram serve --port P --token T` runs the emulator as its own process;
    `python -m fakes.telegram chat --url URL` talks to a bot through it from the terminal."""
    parser = argparse.ArgumentParser(prog="python -m fakes.telegram", description=main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the Bot API emulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--token", required=True, help="the bot token it accepts, e.g. 123456:TEST")
    serve.add_argument("--username", default="vpnshop_test_bot", help="the bot's @username (getMe)")
    chat = sub.add_parser("chat", help="chat with the bot through a running emulator")
    chat.add_argument("--url", required=True, help="the emulator's base URL")
    chat.add_argument("--user-id", type=int, default=100001)
    chat.add_argument("--first-name", default="Demo")
    chat.add_argument("--language", default="ru")
    args = parser.parse_args(argv)
    if args.command == "serve":
        import uvicorn  # noqa: PLC0415 - only the serving process needs it

        emulator = BotApiEmulator(args.token, username=args.username)
        uvicorn.run(emulator.app, host=args.host, port=args.port, log_level="warning", access_log=False)
    else:
        from fakes.telegram_chat import run_chat  # noqa: PLC0415 - avoid a cycle at import

        asyncio.run(run_chat(args.url, args.user_id, first_name=args.first_name, language=args.language))


if __name__ == "__main__":
    main()
