"""admin panel: broadcasts.last_error, Cyrillic-aware customer search, paid-payments index

Revision ID: 604d511cd927
Revises: 6b676c878f78
Create Date: 2026-11-25 13:56:03.562161+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "604d511cd927"
down_revision: str | Sequence[str] | None = "6b676c878f78"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USERNAME_OLD = "lower(username) gin_trgm_ops"
NAME_OLD = "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) gin_trgm_ops"
# ICU lower-casing works on Cyrillic whatever locale the database was created with.
USERNAME_NEW = 'lower(username COLLATE "und-x-icu") gin_trgm_ops'
NAME_NEW = (
    "lower((coalesce(first_name, '') || ' ' || coalesce(last_name, '')) COLLATE \"und-x-icu\") gin_trgm_ops"
)


def _trigram_indexes(username: str, name: str) -> None:
    op.drop_index("ix_users_username_trgm", table_name="users", postgresql_using="gin")
    op.drop_index("ix_users_name_trgm", table_name="users", postgresql_using="gin")
    op.create_index(
        "ix_users_username_trgm", "users", [sa.literal_column(username)], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_users_name_trgm", "users", [sa.literal_column(name)], unique=False, postgresql_using="gin"
    )


def upgrade() -> None:
    op.add_column("broadcasts", sa.Column("last_error", sa.Text(), nullable=True))
    _trigram_indexes(USERNAME_NEW, NAME_NEW)
    # The dashboard's trial conversion probes it once per trial user (index-only).
    op.create_index(
        "ix_payments_user_id_paid",
        "payments",
        ["user_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'paid' AND method <> 'admin'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_payments_user_id_paid",
        table_name="payments",
        postgresql_where=sa.text("status = 'paid' AND method <> 'admin'"),
    )
    _trigram_indexes(USERNAME_OLD, NAME_OLD)
    op.drop_column("broadcasts", "last_error")
