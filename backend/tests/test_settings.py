"""Settings: missing secrets named, weak secrets refused in production, env wins over .env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Environment, Settings, describe_settings_error
from tests.conftest import make_settings

BACKEND = Path(__file__).resolve().parents[1]


def test_missing_required_secret_is_named() -> None:
    with pytest.raises(ValidationError) as exc:
        Settings(_env_file=None, database_url="postgresql://x/y", redis_url="redis://x")  # type: ignore[call-arg]
    message = describe_settings_error(exc.value)
    assert "JWT_SECRET_KEY is required" in message
    assert "SECRET_KEY is required" in message
    assert "BOT_SERVICE_TOKEN is required" in message


def test_api_process_exits_with_a_clear_message() -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("SECRET_KEY", "SERVICE_TOKEN"))}
    env["DATABASE_URL"] = "postgresql://x/y"
    env["REDIS_URL"] = "redis://x"
    env.pop("JWT_SECRET_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-c", "from app.main import create_app; create_app()"],
        cwd=BACKEND,
        env=env | {"PYTHONPATH": str(BACKEND)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "JWT_SECRET_KEY is required but not set" in proc.stderr


def test_short_bot_token_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        make_settings(bot_service_token="short")


def test_production_refuses_weak_and_default_secrets() -> None:
    with pytest.raises(ValidationError) as exc:
        make_settings(environment=Environment.production, jwt_secret_key="change-me", admin_password="admin")
    assert "JWT_SECRET_KEY" in str(exc.value) and "ADMIN_PASSWORD" in str(exc.value)
    with pytest.raises(ValidationError, match="SANDBOX_MODE"):
        make_settings(
            environment=Environment.production, sandbox_mode=True, admin_password="a-long-enough-pw"
        )
    ok = make_settings(environment=Environment.production, admin_password="a-long-enough-pw")
    assert ok.is_production


def test_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SHOP_NAME=From dotenv\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.setenv("SHOP_NAME", "From environment")
    s = Settings(
        _env_file=dotenv,
        database_url="postgresql://x/y",
        redis_url="redis://x",  # type: ignore[call-arg]
        jwt_secret_key="j" * 40,
        secret_key="s" * 40,
        bot_service_token="b" * 40,
    )
    assert s.shop_name == "From environment"
    assert s.log_level == "DEBUG"
    assert s.database_url == "postgresql+asyncpg://x/y"
