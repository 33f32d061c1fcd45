"""Print the API's OpenAPI schema without a database, Redis or `.env`: `python -m app.openapi_dump [-o FILE]`.

The admin SPA generates its typed client from this output, and its check fails when the committed client
differs, so the schema must not depend on the machine: every setting comes from the fixed values below,
never from the environment or `.env`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from app.config import Environment, Settings
from app.main import create_app

DUMMY_VALUES: dict[str, Any] = {
    "environment": Environment.development,
    "log_level": "ERROR",
    "log_json": True,
    "shop_name": "VPN Shop",
    "database_url": "postgresql+asyncpg://openapi@127.0.0.1:1/openapi",
    "redis_url": "redis://127.0.0.1:1/0",
    "jwt_secret_key": "openapi-dump-jwt-secret-0123456789abcdef",
    "secret_key": "openapi-dump-encryption-key-0123456789abcdef",
    "bot_service_token": "openapi-dump-bot-service-token-0123456789",
}


class DumpSettings(Settings):
    """Settings that read only the values passed in (no environment, no `.env`)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the init arguments count."""
        return (init_settings,)


def build_schema() -> dict[str, Any]:
    """The OpenAPI document of the app built with the fixed dummy settings."""
    app = create_app(DumpSettings(**DUMMY_VALUES))
    return app.openapi()


def render_schema() -> str:
    """The schema as stable, pretty JSON text ending in a newline."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Entry point: write the schema to stdout or to --output."""
    parser = argparse.ArgumentParser(prog="python -m app.openapi_dump", description=__doc__)
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    text = render_schema()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
