"""Keyset pages over an integer id, oldest first, with opaque cursors (one way for every
list the API gives)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.cursors import decode_cursor, encode_cursor
from hub.errors import InvalidInput

MAX_PAGE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_next_page: bool
    kind: str

    def cursor(self, item: Any) -> str:
        return encode_cursor(self.kind, item.id)


async def page_of(
    session: AsyncSession,
    query: Select[Any],
    id_column: Any,
    *,
    kind: str,
    first: int,
    after: str | None,
) -> Page[Any]:
    """`first` rows of `query` after the cursor `after`, and whether more follow."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    if after is not None:
        query = query.where(id_column > decode_cursor(kind, after))
    rows = list(await session.scalars(query.order_by(id_column).limit(first + 1)))
    return Page(rows[:first], len(rows) > first, kind)
