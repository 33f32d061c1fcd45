"""Settings: one pydantic-settings class, read from the environment and `.env` (the environment wins)."""

from __future__ import annotations

import enum
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from limits import parse as parse_rate
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The repository root holds the one `.env` that backend, worker and bot share.
ROOT_DIR = Path(__file__).resolve().parents[2]

# Placeholders from .env.example; a production start refuses them.
KNOWN_PLACEHOLDERS = {"change-me", "changeme", "secret", "admin", "password", "change-me-please"}


class Environment(enum.StrEnum):
    """Where the process runs; production refuses weak secrets and the sandbox."""

    development = "development"
    test = "test"
    production = "production"


def asyncpg_url(value: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the asyncpg driver."""
    if value.startswith("postgres://"):
        value = "postgresql://" + value.removeprefix("postgres://")
    if value.startswith("postgresql://"):
        value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
    return value


class DatabaseSettings(BaseSettings):
    """Just DATABASE_URL, for migrations and tools that need nothing else."""

    model_config = SettingsConfigDict(
        env_file=ROOT_DIR / ".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return asyncpg_url(value)


class Settings(BaseSettings):
    """Every setting of the backend (API and worker)."""

    model_config = SettingsConfigDict(
        env_file=ROOT_DIR / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `FOO=` in .env (as in .env.example) means "not set", not "empty string".
        env_ignore_empty=True,
    )

    environment: Environment = Environment.development
    log_level: str = "INFO"
    log_json: bool = True
    shop_name: str = "VPN Shop"

    database_url: str = Field(description="postgresql+asyncpg://user:pass@host:port/db")
    database_pool_size: int = 10
    database_max_overflow: int = 10
    database_statement_timeout_ms: int = 15_000
    redis_url: str = Field(description="redis://host:port/db")
    redis_max_connections: int = 256

    jwt_secret_key: SecretStr
    jwt_algorithm: str = "HS256"
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 14 * 24 * 3600
    user_token_ttl_seconds: int = 60 * 60
    secret_key: SecretStr = Field(description="key for encryption at rest (panel credentials, tokens)")
    secret_key_previous: SecretStr | None = Field(
        default=None, description="the previous SECRET_KEY during a key rotation"
    )

    admin_username: str | None = None
    admin_password: SecretStr | None = None

    bot_service_token: SecretStr
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_bot_username: str | None = None
    admin_chat_id: int | None = None

    public_base_url: str = "http://127.0.0.1:8000"
    # Behind nginx: take the client address from X-Real-IP (never trust it on a directly exposed API).
    trust_proxy_headers: bool = False
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://127.0.0.1:5173", "http://localhost:5173"]
    )

    crypto_pay_token: SecretStr | None = None
    crypto_pay_api_url: str = "https://pay.crypt.bot"
    xrocket_pay_key: SecretStr | None = None
    xrocket_pay_api_url: str = "https://pay.xrocket.tg"
    sever_pay_api_key: SecretStr | None = None
    sever_pay_mid: int | None = None
    sever_pay_api_url: str = "https://severpay.io/api/merchant"

    three_xui_panels: str | None = Field(default=None, description="optional JSON list to bootstrap servers")
    marzban_panels: str | None = Field(default=None, description="optional JSON list to bootstrap servers")

    # Rate limits ("N/second|minute|hour"); exact (Redis per request) for login, the bot's customer
    # login and webhooks; batched (shared through Redis once a second) for customer and public reads.
    rate_limits_enabled: bool = True
    rate_limit_login: str = "20/minute"
    rate_limit_telegram_auth: str = "30/minute"
    rate_limit_webhooks: str = "600/minute"
    rate_limit_customer: str = "300/minute"
    rate_limit_public: str = "600/minute"
    login_lockout_attempts: int = 5
    login_lockout_ip_attempts: int = 25
    login_lockout_seconds: int = 900

    # The worker has no HTTP server of its own: with a port set it serves /metrics for Prometheus there.
    worker_metrics_port: int | None = Field(default=None, description="port of the worker's /metrics")
    worker_metrics_host: str = "127.0.0.1"

    sandbox_mode: bool = False
    topup_min_amount: Decimal = Decimal("50")
    topup_max_amount: Decimal = Decimal("100000")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return asyncpg_url(value)

    @field_validator("bot_service_token")
    @classmethod
    def _long_service_token(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("BOT_SERVICE_TOKEN must be at least 32 characters")
        return value

    @field_validator(
        "rate_limit_login",
        "rate_limit_telegram_auth",
        "rate_limit_webhooks",
        "rate_limit_customer",
        "rate_limit_public",
    )
    @classmethod
    def _rate_rule(cls, value: str) -> str:
        try:
            parse_rate(value)
        except ValueError:
            raise ValueError(f"not a rate limit: {value!r} (use e.g. 30/minute)") from None
        return value

    @field_validator("jwt_algorithm")
    @classmethod
    def _pinned_algorithm(cls, value: str) -> str:
        if value not in {"HS256", "HS384", "HS512"}:
            raise ValueError("JWT_ALGORITHM must be one of HS256, HS384, HS512")
        return value

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        if self.environment is not Environment.production:
            return self
        weak: list[str] = []
        for name in ("jwt_secret_key", "secret_key", "bot_service_token"):
            value = getattr(self, name).get_secret_value()
            if len(value) < 32 or value.lower() in KNOWN_PLACEHOLDERS or "change-me" in value.lower():
                weak.append(name.upper())
        if self.admin_password is not None:
            pw = self.admin_password.get_secret_value()
            if len(pw) < 12 or pw.lower() in KNOWN_PLACEHOLDERS:
                weak.append("ADMIN_PASSWORD")
        if weak:
            raise ValueError(
                "refusing to start in production with default or weak secrets: " + ", ".join(weak)
            )
        if self.sandbox_mode:
            raise ValueError("SANDBOX_MODE is refused when ENVIRONMENT=production")
        return self

    @property
    def is_production(self) -> bool:
        """True when running with ENVIRONMENT=production."""
        return self.environment is Environment.production

    @property
    def sync_database_url(self) -> str:
        """The database URL for tools that want the plain driver name (pg_dump, psql)."""
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://")


def describe_settings_error(exc: ValidationError) -> str:
    """Turn a settings validation error into one readable line per variable."""
    lines = ["configuration error:"]
    for err in exc.errors():
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        if err["type"] == "missing":
            lines.append(f"  {name} is required but not set (environment or .env)")
        else:
            lines.append(f"  {name}: {err['msg']}")
    return "\n".join(lines)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def load_settings_or_exit() -> Settings:
    """Read settings at start-up; on a missing or bad variable print which one and exit."""
    try:
        return get_settings()
    except ValidationError as exc:
        raise SystemExit(describe_settings_error(exc)) from None
