"""subscription markers: auto-renew top-up notice and quota exhausted

Revision ID: f25944251067
Revises: 604d511cd927
Create Date: 2026-11-25 13:57:22.194300+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f25944251067"
down_revision: str | Sequence[str] | None = "604d511cd927"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "subscriptions", sa.Column("auto_renew_notice_for_ends_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("subscriptions", sa.Column("quota_exhausted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("subscriptions", "quota_exhausted_at")
    op.drop_column("subscriptions", "auto_renew_notice_for_ends_at")
