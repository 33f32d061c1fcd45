"""Bot settings: the token's shape and a clear message for what is missing."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import BotSettings, describe_error


def test_missing_variables_are_named() -> None:
    with pytest.raises(ValidationError) as exc:
        BotSettings(_env_file=None)  # type: ignore[call-arg]
    message = describe_error(exc.value)
    assert "TELEGRAM_BOT_TOKEN is required" in message
    assert "BOT_SERVICE_TOKEN is required" in message


def test_token_shape_and_service_token_length() -> None:
    with pytest.raises(ValidationError, match="123456:ABC"):
        BotSettings(_env_file=None, telegram_bot_token="nonsense", bot_service_token="s" * 40)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="at least 32"):
        BotSettings(_env_file=None, telegram_bot_token="1:abc", bot_service_token="short")  # type: ignore[call-arg]
    ok = BotSettings(_env_file=None, telegram_bot_token="1:abc", bot_service_token="s" * 40)  # type: ignore[call-arg]
    assert ok.api_base_url == "http://127.0.0.1:8000"
