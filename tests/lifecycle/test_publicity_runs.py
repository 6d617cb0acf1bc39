"""The lifecycle run notes each ended publicity once, however runs overlap (cron and a
starting server): a page of records is claimed by one conditional UPDATE … RETURNING, each
with its own end day, and only the claimed ones get their event. A starting server skips
the run when one of the same day went through."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

import pytest
from factories import body, record, submit
from sqlalchemy import func, select

from hub.agencies.models import AgencyFamily
from hub.feed.models import FeedHead
from hub.lifecycle.service import publicity_candidates, run_done
from hub.records.models import CreditRecord, RecordEvent
from hub.runtime import Runtime, note_publicity, note_publicity_at_start
from hub.settings import Settings

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


@pytest.fixture
async def runtime(db, keys_dir, keys):  # type: ignore[no-untyped-def]
    """The runtime a `hub lifecycle run` (or a starting server) runs with, on TODAY."""
    built = Runtime.build(Settings(database_url=db.url, keys_dir=keys_dir), keys)
    yield dataclasses.replace(built, today=lambda: TODAY)
    await built.close()


async def test_overlapping_runs_note_each_end_once(http, db, runtime):
    await _old_arrears(http, db, 30)
    first, second = await asyncio.gather(note_publicity(runtime), note_publicity(runtime))
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
    assert await note_publicity(runtime) == 0  # and again: nothing left to note


async def test_a_run_positions_its_events_in_the_feed_as_each_page_commits(http, db, runtime):
    """No sequencer round needed: the page's transaction inserts its events with their
    positions (hub.feed.sequencer), one page here, so one unbroken run of positions."""
    await _old_arrears(http, db, 12)
    assert await note_publicity(runtime) == 12
    async with db.sessions() as session:
        positions = list(
            await session.scalars(
                select(RecordEvent.position)
                .where(RecordEvent.kind == "PUBLICITY_ENDED")
                .order_by(RecordEvent.id)
            )
        )
        head = await session.scalar(select(FeedHead.last_position))
    assert None not in positions
    assert positions == list(range(positions[0], positions[0] + 12))
    assert head >= positions[-1]


async def test_a_run_groups_records_by_the_day_they_ended(http, db, runtime):
    await _old_arrears(http, db, 6)
    assert await note_publicity(runtime) == 6
    async with db.sessions() as session:
        days = set(await session.scalars(select(CreditRecord.publicity_ended_on)))
    # Three decision months, three end days, each record claimed with its own.
    assert len(days) == 3


async def test_candidates_come_page_by_page_each_once(http, db):
    await _old_arrears(http, db, 30)
    pages, after = [], 0
    async with db.sessions() as session:
        while page := await publicity_candidates(session, after, limit=7):
            pages.append(page)
            after = page[-1]
        every = set(await session.scalars(select(CreditRecord.id)))
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
    ids = [i for p in pages for i in p]
    assert ids == sorted(every)


async def test_a_starting_server_skips_the_run_when_todays_is_done(http, db, runtime):
    """Ends are counted in days: once a run of today went through (cron, or an earlier
    start), a restart does not judge millions of records again."""
    await _old_arrears(http, db, 5)
    await note_publicity_at_start(runtime, lambda: False)
    assert await _ended(db) == 5
    async with db.sessions() as session:
        assert await run_done(session, TODAY)
    await _old_arrears_of_another_year(http, db)
    await note_publicity_at_start(runtime, lambda: False)
    assert await _ended(db) == 5  # skipped: today's run is done
    assert await note_publicity(runtime) == 2  # cron's run still notes what came since


async def test_a_run_stopped_half_way_is_not_today_s_run(http, db, runtime):
    await _old_arrears(http, db, 5)
    assert await note_publicity(runtime, stopping=lambda: True) == 0
    async with db.sessions() as session:
        assert not await run_done(session, TODAY)


async def _ended(db) -> int:  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).where(CreditRecord.publicity_ended_on.is_not(None))
            )
            or 0
        )


async def _old_arrears_of_another_year(http, db) -> None:  # type: ignore[no-untyped-def]
    rows = [
        record(f"江财欠〔2022〕{i}号", body(950 + i), category="PAYMENT_ARREARS", kind=None,
               severity="GENERAL", decided="2022-05-10")
        for i in range(2)
    ]  # fmt: skip
    await submit(http, db, rows, agency_seed=78, family=AgencyFamily.FINANCE)
