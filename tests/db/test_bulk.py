"""Many rows into one table (hub.db.bulk): on PostgreSQL a COPY in the caller's transaction,
elsewhere an INSERT; either way the table holds what an INSERT of the same values holds,
and a rollback takes the rows back."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, func, insert, select, text
from support import Database

from hub.checks.models import Check
from hub.checks.purposes import Purpose, Verdict
from hub.db.bulk import COPY_FROM, insert_many, insert_returning_ids, insert_rows
from hub.records.enums import SubjectType
from hub.subjects.models import Organization

TABLE = Check.metadata.tables[Check.__tablename__]


def check_row(n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "client_id": None,
        "agency_id": None,
        "checked_by": "user:张三" if n % 2 else None,
        "purpose": Purpose.AWARD,
        "reference": f"评优评先 2026 第{n}号",
        "subject_type": SubjectType.PERSON,
        "subject_key": f"{n:064x}",
        "as_of": date(2026, 12, 5),
        "verdict": Verdict.REVIEW if n % 3 else Verdict.CLEAR,
        "ruleset_version": "2026.12.1",
        "result": {"findings": [{"rule": "R1", "until": None}], "warnings": ["姓名不一致"], "n": n},
        "checked_at": datetime(2026, 12, 5, 8, 30, n % 60, tzinfo=UTC),
    }


def _stored(check: Check) -> dict[str, Any]:
    return {c.key: getattr(check, c.key) for c in Check.__table__.columns if c.key != "id"}


async def test_many_rows_are_stored_as_an_insert_stores_them(db: Database) -> None:
    rows = [check_row(n) for n in range(COPY_FROM + 50)]
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    async with db.sessions.begin() as session:
        await session.execute(text("SELECT 1"))  # the transaction is open on the driver
        await insert_many(session, TABLE, rows)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    # PostgreSQL streams them (COPY goes past the cursor); SQLite inserts them.
    assert (inserts == []) is (db.backend == "postgres")

    reference = {**rows[7], "id": str(uuid.uuid4())}
    async with db.sessions.begin() as session:
        await session.execute(insert(TABLE), [reference])
    async with db.sessions() as session:
        stored = {c.id: c for c in await session.scalars(select(Check))}
    assert len(stored) == len(rows) + 1
    assert _stored(stored[rows[7]["id"]]) == _stored(stored[reference["id"]])
    for row in rows:
        assert _stored(stored[row["id"]]) == {k: v for k, v in row.items() if k != "id"}


async def test_rows_leave_with_a_rolled_back_transaction(db: Database) -> None:
    for count in (3, COPY_FROM * 2):
        async with db.sessions() as session:
            await session.execute(text("SELECT 1"))
            await insert_many(session, TABLE, [check_row(i) for i in range(count)])
            assert await session.scalar(select(func.count()).select_from(TABLE)) == count
            await session.rollback()
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(TABLE)) == 0


async def test_copy_waits_for_an_open_transaction(db: Database) -> None:
    # The first statement of a session: the driver has not begun the transaction yet, so a
    # COPY would commit on its own. The rows are inserted instead, and roll back.
    async with db.sessions() as session:
        await session.run_sync(
            lambda s: insert_rows(s.connection(), TABLE, [check_row(i) for i in range(COPY_FROM)])
        )
        await session.rollback()
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TABLE)) == 0


ORGANIZATIONS = Organization.metadata.tables[Organization.__tablename__]


def organization_row(n: int) -> dict[str, Any]:
    return {
        "uscc": f"{n:018d}",
        "name": f"单位{n}",
        "region_code": "361200",
        "created_at": datetime(2026, 12, 5, tzinfo=UTC),
    }


async def test_new_rows_come_back_with_their_ids_in_order(db: Database) -> None:
    # A few rows by INSERT … RETURNING; many by ids drawn from the sequence and a COPY.
    for count, start in ((3, 0), (COPY_FROM + 50, 1000)):
        rows = [organization_row(start + n) for n in range(count)]
        async with db.sessions.begin() as session:
            ids = await insert_returning_ids(session, ORGANIZATIONS, rows)
        assert len(set(ids)) == count
        async with db.sessions() as session:
            stored = dict((await session.execute(select(Organization.id, Organization.uscc))).all())
        assert [stored[i] for i in ids] == [row["uscc"] for row in rows]
    # The sequence moved past the ids it gave: the next ordinary insert takes a new one.
    async with db.sessions.begin() as session:
        session.add(Organization(**organization_row(5000)))
        await session.flush()
        later = await session.scalar(select(func.max(Organization.id)))
    assert later is not None and later not in stored
