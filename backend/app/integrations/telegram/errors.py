"""Bot API failures, split by what the caller should do."""

from __future__ import annotations


class TelegramError(Exception):
    """Any Bot API error."""


class TelegramForbidden(TelegramError):
    """403: the user blocked the bot (or never started it); do not retry, mark the user."""


class TelegramBadRequest(TelegramError):
    """400: our request was wrong (text too long, chat not found); do not retry."""


class TelegramRetryAfter(TelegramError):
    """429: flood control; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TelegramUnavailable(TelegramError):
    """Network error or 5xx; retry later."""
