"""One paging style everywhere: `?page=&size=` in, `{items, total, page, size, pages}` out; `?sort=-field`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.errors import BadRequest

T = TypeVar("T")
# A SELECT of any number of columns (SQLAlchemy types a statement by the columns it selects).
AnySelect = Select[*tuple[Any, ...]]
MAX_PAGE_SIZE = 200


class PageParams(BaseModel):
    """Which page of a list to return."""

    page: int = 1
    size: int = 20

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.size


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="items per page")] = 20,
) -> PageParams:
    """Parse ?page=&size=."""
    return PageParams(page=page, size=size)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """A page of a list and the total count of the filtered list."""

    items: list[T]
    total: int
    page: int
    size: int
    pages: int


def apply_sort(
    stmt: Select[Any],
    sort: str | None,
    allowed: Mapping[str, ColumnElement[Any] | Any],
    default: Sequence[Any],
) -> Select[Any]:
    """Order by `?sort=name,-created_at` using only allowed keys (400 names the bad key)."""
    if not sort:
        return stmt.order_by(*default)
    order: list[Any] = []
    for raw in sort.split(","):
        key = raw.strip()
        desc = key.startswith("-")
        key = key.lstrip("-+")
        if key not in allowed:
            raise BadRequest(f"Cannot sort by {key!r}; allowed: {', '.join(sorted(allowed))}")
        column = allowed[key]
        order.append(column.desc() if desc else column.asc())
    # A unique tie-breaker keeps pages stable.
    order.extend(default[-1:])
    return stmt.order_by(*order)


async def count_rows(session: AsyncSession, stmt: AnySelect) -> int:
    """How many rows a filtered statement returns."""
    return int(await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)


async def paginate(session: AsyncSession, stmt: Select[Any], params: PageParams) -> tuple[list[Any], int]:
    """Run a count and a page query for the same filtered statement."""
    total = await count_rows(session, stmt)
    rows = (await session.scalars(stmt.limit(params.size).offset(params.offset))).all()
    return list(rows), total


async def paginate_rows(session: AsyncSession, stmt: AnySelect, params: PageParams) -> tuple[list[Any], int]:
    """Like `paginate`, for statements selecting several columns: the page's rows are tuples."""
    total = await count_rows(session, stmt)
    rows = (await session.execute(stmt.limit(params.size).offset(params.offset))).all()
    return list(rows), total


def like_pattern(term: str) -> str:
    """`%term%` for LIKE, with the wildcards in `term` escaped (use with escape="\\")."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def make_page(items: Sequence[T], total: int, params: PageParams) -> Page[T]:
    """Wrap a page of items."""
    return Page[T](
        items=list(items),
        total=total,
        page=params.page,
        size=params.size,
        pages=math.ceil(total / params.size) if total else 0,
    )
