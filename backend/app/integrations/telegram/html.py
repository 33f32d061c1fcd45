"""Telegram's HTML parse mode, checked before sending: allowed tags and attributes only, balanced,
entities Telegram knows, and the visible length within Telegram's limit.

Telegram refuses a whole message on the first markup error ("can't parse entities"), so a broadcast
with a typo would fail for every recipient; staff get the error next to the field instead.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# tag -> the attributes it may carry
_ALLOWED: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "tg-spoiler": set(),
    "span": {"class"},
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
_REQUIRED = {"a": "href", "span": "class", "tg-emoji": "emoji-id"}
# Telegram knows only these named entities; numeric ones are all fine.
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_TAG = re.compile(
    r"<(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9-]*)"
    r"(?P<attrs>(?:\s+[A-Za-z][A-Za-z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*(?P<self>/)?>"
)
_ATTR = re.compile(r"([A-Za-z][A-Za-z0-9-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_URL_SCHEMES = ("http://", "https://", "tg://", "mailto:")


class TelegramHtmlError(ValueError):
    """The text is not valid Telegram HTML; the message says what and where."""


@dataclass(frozen=True)
class RenderedText:
    """What a recipient sees: the text without markup, and its length as Telegram counts it."""

    plain: str
    length: int


def telegram_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits (an emoji can count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _attributes(raw: str, tag: str, pos: int) -> dict[str, str | None]:
    attrs: dict[str, str | None] = {}
    for name, value in _ATTR.findall(raw):
        key = name.lower()
        if key not in _ALLOWED[tag]:
            raise TelegramHtmlError(f'<{tag}> cannot have the attribute "{key}" (position {pos})')
        attrs[key] = html.unescape(value[1:-1] if value[:1] in "\"'" else value) if value else None
    return attrs


def _check_attributes(tag: str, attrs: dict[str, str | None], parent: str | None, pos: int) -> None:
    required = _REQUIRED.get(tag)
    if required and not attrs.get(required):
        raise TelegramHtmlError(f'<{tag}> needs the attribute "{required}" (position {pos})')
    if tag == "a" and not str(attrs["href"]).lower().startswith(_URL_SCHEMES):
        raise TelegramHtmlError(f"<a href> must be an http(s), tg:// or mailto: link (position {pos})")
    if tag == "span" and attrs["class"] != "tg-spoiler":
        raise TelegramHtmlError(f'only <span class="tg-spoiler"> is supported (position {pos})')
    if tag == "tg-emoji" and not str(attrs["emoji-id"]).isdigit():
        raise TelegramHtmlError(f"<tg-emoji emoji-id> must be a number (position {pos})")
    if tag == "code" and "class" in attrs:
        if parent != "pre":
            raise TelegramHtmlError(f"a language can be set only on <code> inside <pre> (position {pos})")
        if not str(attrs["class"]).startswith("language-"):
            raise TelegramHtmlError(f'<code class> must look like "language-python" (position {pos})')
    if tag == "blockquote" and attrs.get("expandable") is not None:
        raise TelegramHtmlError(f"<blockquote expandable> takes no value (position {pos})")


def _check_nesting(tag: str, stack: list[str], pos: int) -> None:
    parent = stack[-1] if stack else None
    if parent == "code" or (parent == "pre" and tag != "code"):
        raise TelegramHtmlError(f"<{stack[-1]}> cannot contain other formatting (position {pos})")
    if tag == "blockquote" and "blockquote" in stack:
        raise TelegramHtmlError(f"<blockquote> cannot be nested (position {pos})")
    if tag == "a" and "a" in stack:
        raise TelegramHtmlError(f"links cannot be nested (position {pos})")


def _text_piece(piece: str, offset: int) -> str:
    """Check a run of text between tags (bare < and & are errors) and decode its entities."""
    for i, ch in enumerate(piece):
        if ch == "<":
            raise TelegramHtmlError(f'unescaped "<" at position {offset + i}; write &lt;')
        if ch == "&" and not _ENTITY.match(piece, i):
            raise TelegramHtmlError(
                f'unescaped "&" at position {offset + i}; write &amp; (only &lt; &gt; &amp; &quot; '
                "and numeric entities are supported)"
            )
    return html.unescape(piece)


def parse(text: str) -> RenderedText:
    """Validate Telegram HTML and return the visible text; raises TelegramHtmlError."""
    stack: list[str] = []
    plain: list[str] = []
    pos = 0
    for match in _TAG.finditer(text):
        plain.append(_text_piece(text[pos : match.start()], pos))
        pos = match.end()
        tag = match["name"].lower()
        if tag not in _ALLOWED:
            raise TelegramHtmlError(f"<{tag}> is not supported by Telegram (position {match.start()})")
        if match["self"]:
            raise TelegramHtmlError(f"<{tag}/> must be written as a pair of tags (position {match.start()})")
        if match["close"]:
            if match["attrs"].strip():
                raise TelegramHtmlError(f"</{tag}> cannot have attributes (position {match.start()})")
            if not stack or stack[-1] != tag:
                expected = f"</{stack[-1]}>" if stack else "no closing tag"
                raise TelegramHtmlError(
                    f"</{tag}> at position {match.start()} does not match: expected {expected}"
                )
            stack.pop()
            continue
        attrs = _attributes(match["attrs"], tag, match.start())
        _check_attributes(tag, attrs, stack[-1] if stack else None, match.start())
        _check_nesting(tag, stack, match.start())
        stack.append(tag)
    plain.append(_text_piece(text[pos:], pos))
    if stack:
        raise TelegramHtmlError(f"<{stack[-1]}> is never closed")
    visible = "".join(plain)
    return RenderedText(plain=visible, length=telegram_length(visible))


def check_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Validate a message text: non-empty, valid Telegram HTML, at most `limit` visible characters."""
    rendered = parse(text)
    if not rendered.plain.strip():
        raise TelegramHtmlError("the message has no visible text")
    if rendered.length > limit:
        raise TelegramHtmlError(
            f"the message is {rendered.length} characters long after formatting; Telegram allows {limit}"
        )
    return text


TelegramHtml = Annotated[str, AfterValidator(check_message)]
"""A message text in Telegram HTML, validated (a pydantic field type: errors become 422)."""
