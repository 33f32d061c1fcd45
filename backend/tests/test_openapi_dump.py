"""The OpenAPI dump the admin SPA generates its client from: no services needed, same on every machine."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.kit.crypto import configure_encryption
from app.logging import configure_logging
from app.openapi_dump import main, render_schema
from tests.conftest import TEST_SECRETS

BACKEND_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    """Building the dump's app configures the process-wide encryption key and logging; put the tests' back."""
    yield
    configure_encryption(TEST_SECRETS["secret_key"])
    configure_logging("INFO", json_output=True)


class TestOpenapiDump:
    def test_writes_the_schema_with_the_admin_routes(self, tmp_path: Path) -> None:
        out = tmp_path / "openapi.json"
        main(["--output", str(out)])
        schema = json.loads(out.read_text(encoding="utf-8"))
        assert schema["info"]["title"] == "VPN Shop API"
        assert "/api/v1/auth/login" in schema["paths"]
        assert "/api/v1/admin/servers/{server_id}" in schema["paths"]
        assert "shop_name" in schema["components"]["schemas"]["MeRead"]["required"]

    def test_ignores_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        baseline = render_schema()
        monkeypatch.setenv("SHOP_NAME", "Someone Else's Shop")
        monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")
        assert render_schema() == baseline

    def test_runs_as_a_module_without_database_or_secrets(self) -> None:
        env = {"PATH": "/usr/bin:/bin"}
        result = subprocess.run(
            [sys.executable, "-m", "app.openapi_dump"],
            cwd=BACKEND_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert json.loads(result.stdout)["openapi"].startswith("3.")
        assert result.stderr == ""
