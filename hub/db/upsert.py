"""Inserting rows that another process may be inserting at the same moment: the database
skips those whose unique key is already there (ON CONFLICT DO NOTHING, the same on SQLite
and PostgreSQL) and returns the ids of those it inserted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_new(
    session: AsyncSession,
    model: Any,
    rows: Sequence[dict[str, Any]],
    key: str,
    returning: str = "id",
) -> list[Any]:
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model).values(list(rows)).on_conflict_do_nothing(index_elements=[key])
    ).returning(getattr(model, returning))
    return list(await session.scalars(statement))
