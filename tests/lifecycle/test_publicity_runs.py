"""The lifecycle run notes each ended publicity once, however runs overlap (cron and a
starting server): records that ended the same day are claimed by one conditional
UPDATE … RETURNING, and only the claimed ones get their event."""

from __future__ import annotations

import asyncio
from datetime import date

from factories import body, record, submit
from sqlalchemy import func, select

from hub.agencies.models import AgencyFamily
from hub.checks.ruleset import current_ruleset
from hub.lifecycle.service import run_publicity
from hub.records.models import CreditRecord, RecordEvent

TODAY = date(2026, 12, 5)


async def _old_arrears(http, db, count: int) -> None:
    rows = [
        record(
            f"江财欠〔2023〕{i}号",
            body(900 + i),
            category="PAYMENT_ARREARS",
            kind=None,
            severity="GENERAL",
            decided=f"2023-0{1 + i % 3}-10",
        )
        for i in range(count)
    ]
    await submit(http, db, rows, agency_seed=77, family=AgencyFamily.FINANCE)


async def _run(db) -> int:  # type: ignore[no-untyped-def]
    async with db.sessions.begin() as session:
        return await run_publicity(session, current_ruleset(), TODAY)


async def test_overlapping_runs_note_each_end_once(http, db):
    await _old_arrears(http, db, 30)
    first, second = await asyncio.gather(_run(db), _run(db))
    assert first + second == 30
    async with db.sessions() as session:
        events = await session.scalar(
            select(func.count())
            .select_from(RecordEvent)
            .where(RecordEvent.kind == "PUBLICITY_ENDED")
        )
        ended = await session.scalar(
            select(func.count()).where(CreditRecord.publicity_ended_on.is_not(None))
        )
    assert events == 30 and ended == 30
    assert await _run(db) == 0  # and again: nothing left to note


async def test_a_run_groups_records_by_the_day_they_ended(http, db):
    await _old_arrears(http, db, 6)
    assert await _run(db) == 6
    async with db.sessions() as session:
        days = set(await session.scalars(select(CreditRecord.publicity_ended_on)))
    # Three decision months, three end days: one UPDATE each.
    assert len(days) == 3
