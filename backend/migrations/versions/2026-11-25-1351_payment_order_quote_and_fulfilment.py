"""payments: the quoted order price and whether (or why not) the order was fulfilled

Revision ID: ccd829eab09e
Revises: f25944251067
Create Date: 2026-11-25 13:51:03.708113+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ccd829eab09e"
down_revision: str | Sequence[str] | None = "f25944251067"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("order_price", sa.Numeric(precision=14, scale=2), nullable=True))
    op.add_column("payments", sa.Column("fulfilled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("payments", sa.Column("fulfillment_error", sa.Text(), nullable=True))
    op.add_column("payments", sa.Column("status_detail", sa.String(length=255), nullable=True))
    op.create_check_constraint(
        "ck_payments_order_price_non_negative", "payments", "order_price IS NULL OR order_price >= 0"
    )


def downgrade() -> None:
    op.drop_constraint("ck_payments_order_price_non_negative", "payments", type_="check")
    op.drop_column("payments", "status_detail")
    op.drop_column("payments", "fulfillment_error")
    op.drop_column("payments", "fulfilled_at")
    op.drop_column("payments", "order_price")
