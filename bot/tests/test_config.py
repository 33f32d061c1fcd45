"""Bot settings: the token's shape, a clear message for what is missing, webhook settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import BotSettings, describe_error

BASE = {"telegram_bot_token": "1:abc", "bot_service_token": "s" * 40, "redis_url": "redis://127.0.0.1:6379/0"}


def settings(**overrides: object) -> BotSettings:
    return BotSettings(_env_file=None, **{**BASE, **overrides})  # type: ignore[arg-type]


class TestSettings:
    def test_missing_variables_are_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("TELEGRAM_BOT_TOKEN", "BOT_SERVICE_TOKEN", "REDIS_URL"):
            monkeypatch.delenv(name, raising=False)
        with pytest.raises(ValidationError) as exc:
            BotSettings(_env_file=None)  # type: ignore[call-arg]
        message = describe_error(exc.value)
        assert "TELEGRAM_BOT_TOKEN is required" in message
        assert "BOT_SERVICE_TOKEN is required" in message
        assert "REDIS_URL is required" in message

    def test_token_shape_and_service_token_length(self) -> None:
        with pytest.raises(ValidationError, match="123456:ABC"):
            settings(telegram_bot_token="nonsense")
        with pytest.raises(ValidationError, match="at least 32"):
            settings(bot_service_token="short")
        ok = settings()
        assert ok.api_base_url == "http://127.0.0.1:8000"
        assert ok.telegram_webhook_url is None

    def test_webhook_path_and_secret(self) -> None:
        hook = settings(telegram_webhook_url="https://shop.example.com/tg/hook")
        assert hook.webhook_path == "/tg/hook"
        derived = hook.webhook_secret
        assert len(derived) == 64 and derived == settings().webhook_secret
        assert derived != settings(bot_service_token="t" * 40).webhook_secret
        explicit = settings(telegram_webhook_secret="my_secret-1")
        assert explicit.webhook_secret == "my_secret-1"
        assert settings(telegram_webhook_url="https://shop.example.com").webhook_path == "/"

    def test_bad_webhook_values_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="full URL"):
            settings(telegram_webhook_url="shop.example.com/hook")
        with pytest.raises(ValidationError, match=r"A-Z"):
            settings(telegram_webhook_secret="with spaces!")
        with pytest.raises(ValidationError, match="THROTTLE_RATE"):
            settings(throttle_rate=0)
