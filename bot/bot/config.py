"""Bot settings from the environment and the shared `.env` (the environment wins)."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parents[2]
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class BotSettings(BaseSettings):
    """Everything the bot process needs."""

    model_config = SettingsConfigDict(
        env_file=ROOT_DIR / ".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    api_base_url: str = "http://127.0.0.1:8000"
    bot_service_token: SecretStr
    redis_url: str
    log_level: str = "INFO"
    log_json: bool = True
    api_timeout_seconds: float = 10.0
    # Webhook mode when set (the public HTTPS URL Telegram posts to); long polling otherwise.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    bot_webhook_host: str = "127.0.0.1"
    bot_webhook_port: int = 8081
    # Per-user flood guard: sustained updates per second and the burst allowed above it.
    throttle_rate: float = 2.0
    throttle_burst: int = 6

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        head, _, tail = value.get_secret_value().partition(":")
        if not head.isdigit() or not tail:
            raise ValueError("TELEGRAM_BOT_TOKEN must look like 123456:ABC... (from @BotFather)")
        return value

    @field_validator("bot_service_token")
    @classmethod
    def _long_service_token(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("BOT_SERVICE_TOKEN must be at least 32 characters")
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError("TELEGRAM_WEBHOOK_URL must be a full URL such as https://shop.example.com/tg")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _throttle_sane(self) -> BotSettings:
        if self.throttle_rate <= 0 or self.throttle_burst < 1:
            raise ValueError("THROTTLE_RATE must be > 0 and THROTTLE_BURST >= 1")
        return self

    @property
    def webhook_path(self) -> str:
        """The path the bot's web server listens on: the path of TELEGRAM_WEBHOOK_URL."""
        return urlsplit(self.telegram_webhook_url or "").path or "/"

    @property
    def webhook_secret(self) -> str:
        """The secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token.

        Without TELEGRAM_WEBHOOK_SECRET it is derived from BOT_SERVICE_TOKEN, so it stays stable across
        restarts and needs no extra variable.
        """
        if self.telegram_webhook_secret is not None:
            return self.telegram_webhook_secret.get_secret_value()
        seed = b"telegram-webhook:" + self.bot_service_token.get_secret_value().encode()
        return hashlib.sha256(seed).hexdigest()


def describe_error(exc: ValidationError) -> str:
    """One line per bad or missing variable."""
    lines = ["bot configuration error:"]
    for err in exc.errors():
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        missing = err["type"] == "missing"
        lines.append(f"  {name} is required but not set" if missing else f"  {name}: {err['msg']}")
    return "\n".join(lines)


@lru_cache
def get_settings() -> BotSettings:
    """Read the settings once; exit with a readable message when something is missing."""
    try:
        return BotSettings()
    except ValidationError as exc:
        raise SystemExit(describe_error(exc)) from None
