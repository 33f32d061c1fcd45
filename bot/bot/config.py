"""Bot settings from the environment and the shared `.env` (the environment wins)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parents[2]


class BotSettings(BaseSettings):
    """Everything the bot process needs."""

    model_config = SettingsConfigDict(
        env_file=ROOT_DIR / ".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    api_base_url: str = "http://127.0.0.1:8000"
    bot_service_token: SecretStr
    redis_url: str | None = None
    log_level: str = "INFO"
    api_timeout_seconds: float = 10.0

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
