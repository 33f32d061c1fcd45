"""Re-encrypt every encrypted column under the current SECRET_KEY (the last step of a key rotation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Column, Table, Text, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.kit.crypto import EncryptedString, is_current, rotate
from app.models import Base

log = structlog.get_logger(__name__)


class UndecryptableValue(Exception):
    """A stored value opens with neither SECRET_KEY nor SECRET_KEY_PREVIOUS; nothing was changed."""

    def __init__(self, table: str, column: str, row_id: Any) -> None:
        super().__init__(
            f"{table}.{column} of row {row_id} opens with neither SECRET_KEY nor SECRET_KEY_PREVIOUS: "
            "set SECRET_KEY_PREVIOUS to the key it was written with; nothing was changed"
        )


@dataclass
class ColumnReport:
    """What a rotation did to one encrypted column."""

    table: str
    column: str
    rotated: int = 0
    already_current: int = 0


def encrypted_columns() -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) of the data model stored with EncryptedString."""
    found: list[tuple[Table, Column[Any]]] = []
    for table in Base.metadata.sorted_tables:
        found.extend((table, column) for column in table.columns if isinstance(column.type, EncryptedString))
    return found


async def _rotate_column(
    session: AsyncSession, table: Table, column: Column[Any], batch_size: int
) -> ColumnReport:
    report = ColumnReport(table.name, column.name)
    (pk,) = table.primary_key.columns
    # The raw ciphertext: type_coerce to Text skips EncryptedString's decrypt/encrypt.
    raw = type_coerce(column, Text)
    keep_timestamp = {"updated_at": table.c.updated_at} if "updated_at" in table.c else {}
    last: Any = None
    while True:
        query = select(pk, raw).where(column.is_not(None)).order_by(pk).limit(batch_size).with_for_update()
        if last is not None:
            query = query.where(pk > last)
        rows = (await session.execute(query)).all()
        if not rows:
            return report
        for row_id, token in rows:
            if is_current(token):
                report.already_current += 1
                continue
            try:
                fresh = rotate(token)
            except ValueError:
                raise UndecryptableValue(table.name, column.name, row_id) from None
            await session.execute(
                update(table)
                .where(pk == row_id)
                .values({column.name: type_coerce(fresh, Text), **keep_timestamp})
            )
            report.rotated += 1
        last = rows[-1][0]


async def rotate_encryption(session: AsyncSession, *, batch_size: int = 500) -> list[ColumnReport]:
    """Re-encrypt under the current key every value still under the previous one, in the caller's transaction.

    Any value that opens with neither key aborts the whole run (the caller rolls back), so a database
    is never left half under an unknown key.
    """
    reports = [
        await _rotate_column(session, table, column, batch_size) for table, column in encrypted_columns()
    ]
    summary = {f"{r.table}.{r.column}": {"rotated": r.rotated, "current": r.already_current} for r in reports}
    record(session, None, "encryption.rotate", "database", None, after=summary)
    # A list, not the dict: the log masker would hide counts under keys like "servers.password".
    log.info(
        "encryption_rotated",
        columns=[
            {"column": f"{r.table}.{r.column}", "rotated": r.rotated, "current": r.already_current}
            for r in reports
        ],
    )
    return reports
