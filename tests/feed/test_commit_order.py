"""The feed never skips a commit: concurrent writers whose transactions commit in another
order than they took their ids, a sequencer, and a reader following the feed in a loop; at the
end the reader has seen every committed event exactly once, in increasing positions, and no
event of a rolled-back transaction. On PostgreSQL the writers really overlap; SQLite takes one
writer at a time, and the same test shows the feed is right there too."""

from __future__ import annotations

import asyncio
import random
from datetime import date

import pytest
from sqlalchemy import func, select
from support import make_agency, make_uscc

from hub.auth.actor import Actor
from hub.db.base import utcnow
from hub.feed.sequencer import (
    hold_events_until_commit,
    position_held_events,
    sequence_batch,
    write_events,
)
from hub.feed.service import Reader, read_changes
from hub.records.enums import RecordCategory, RecordStatus, Severity, SubjectType
from hub.records.models import CreditRecord, RecordEvent
from hub.subjects.models import Organization

SYNC = Actor(client_id=None, agency_id=None, scopes=frozenset({"sync:read"}))


async def _a_record(db) -> int:
    async with db.sessions.begin() as session:
        agency = await make_agency(session, seed=71)
        body = Organization(uscc=make_uscc(seed=72), name="江州市某局", region_code="361200")
        session.add(body)
        await session.flush()
        record = CreditRecord(
            source_agency_id=agency.id, source_ref="江监〔2026〕1号",
            subject_type=SubjectType.ORGANIZATION, organization_id=body.id,
            category=RecordCategory.PROMISE_BROKEN, severity=Severity.GENERAL,
            decided_at=date(2026, 1, 5), summary="未履行承诺", status=RecordStatus.ACTIVE,
            content_hash="0" * 64,
        )  # fmt: skip
        session.add(record)
        await session.flush()
        return record.id


def _event(record_id: int, label: str) -> RecordEvent:
    return RecordEvent(**_event_row(record_id, label))


def _event_row(record_id: int, label: str) -> dict:
    return {
        "record_id": record_id, "version": 1, "kind": "UPDATED", "status": RecordStatus.ACTIVE,
        "snapshot": {}, "actor": label, "reason": None, "at": utcnow(),
    }  # fmt: skip


def _reader(pii) -> Reader:
    return Reader(SYNC, pii, "urn:test-hub", date(2026, 12, 5), utcnow(), retention_days=400)


async def _follow(db, pii, cursor: str | None) -> tuple[list[str], str | None]:
    async with db.sessions() as session:
        page = await read_changes(session, _reader(pii), after=cursor, first=50)
    return [e.event.id for e in page.edges], page.end_cursor


async def test_a_late_commit_with_an_early_id_is_not_skipped(db, pii):
    """The case ordering by id gets wrong: A takes its id first and commits last."""
    if db.backend != "postgres":
        pytest.skip("SQLite cannot hold two write transactions open at once")
    record_id = await _a_record(db)
    async with db.sessions() as late, db.sessions() as early:
        first = _event(record_id, "late")
        late.add(first)
        await late.flush()  # takes the lower id, does not commit yet
        second = _event(record_id, "early")
        early.add(second)
        await early.commit()
        assert first.id < second.id
        async with db.sessions.begin() as session:
            await sequence_batch(session)
        seen, cursor = await _follow(db, pii, None)
        by_id = await _ids_above(db, 0)
        assert by_id == [second.id]  # a reader by id would now stand at second.id …
        await late.commit()
    async with db.sessions.begin() as session:
        await sequence_batch(session)
    more, _ = await _follow(db, pii, cursor)
    assert len(seen) == 1 and len(more) == 1  # … and the feed still gives the late one
    assert await _ids_above(db, second.id) == []  # which a reader by id would never see
    async with db.sessions() as session:
        positions = dict(
            (await session.execute(select(RecordEvent.actor, RecordEvent.position))).all()
        )
    assert positions == {"early": 1, "late": 2}


async def _ids_above(db, last_id: int) -> list[int]:
    async with db.sessions() as session:
        return list(
            await session.scalars(
                select(RecordEvent.id).where(RecordEvent.id > last_id).order_by(RecordEvent.id)
            )
        )


@pytest.mark.parametrize("bulk", [False, True], ids=["requests", "requests-and-bulk"])
async def test_concurrent_writers_and_a_following_reader_agree_on_every_commit(db, pii, bulk):
    """`bulk`: half the writers position their own events as they commit, as an ingest's
    chunk does (write_events held, then position_held_events), beside writers the
    sequencer positions."""
    record_id = await _a_record(db)
    rng = random.Random(20261205)
    committed: set[str] = set()
    writers_done = asyncio.Event()

    async def writer(number: int) -> None:
        for round_ in range(12):
            label = f"w{number}-{round_}"
            async with db.sessions() as session:
                if bulk and number % 2:
                    hold_events_until_commit(session)
                    labels = [f"{label}.{i}" for i in range(rng.randint(1, 3))]
                    await write_events(session, [_event_row(record_id, x) for x in labels])
                else:
                    labels = [label]
                    session.add(_event(record_id, label))
                    await session.flush()
                await asyncio.sleep(rng.random() * 0.02)  # hold the id, commit later
                if rng.random() < 0.15:
                    await session.rollback()  # never committed: must never be read
                    continue
                if bulk and number % 2:
                    await position_held_events(session)
                    await asyncio.sleep(rng.random() * 0.01)  # the head held until commit
                await session.commit()
            committed.update(labels)

    async def sequencer() -> None:
        while not writers_done.is_set():
            async with db.sessions.begin() as session:
                await sequence_batch(session, limit=rng.randint(1, 7))
            await asyncio.sleep(rng.random() * 0.01)
        while True:
            async with db.sessions.begin() as session:
                if await sequence_batch(session) == 0:
                    return

    read: list[tuple[int, str]] = []

    async def reader() -> None:
        cursor = None
        idle = 0
        while idle < 3:
            async with db.sessions() as session:
                page = await read_changes(session, _reader(pii), after=cursor, first=5)
                labels = await _labels(session, [int(e.event.id) for e in page.edges])
            read.extend((int(e.event.id), labels[int(e.event.id)]) for e in page.edges)
            cursor = page.end_cursor
            finished = writers_done.is_set() and sequencing.done()
            idle = idle + 1 if finished and not page.edges else 0
            await asyncio.sleep(0.005)

    sequencing = asyncio.create_task(sequencer())
    following = asyncio.create_task(reader())
    await asyncio.gather(*(writer(n) for n in range(4)))
    writers_done.set()
    await sequencing
    await following

    positions = [position for position, _ in read]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert sorted(label for _, label in read) == sorted(committed)
    assert len(committed) > 20


async def _labels(session, positions: list[int]) -> dict[int, str]:
    rows = await session.execute(
        select(RecordEvent.position, RecordEvent.actor).where(RecordEvent.position.in_(positions))
    )
    return {int(p): str(a) for p, a in rows}


async def test_a_commit_that_would_lose_held_events_is_refused(db):
    record_id = await _a_record(db)
    with pytest.raises(RuntimeError, match="position_held_events"):
        async with db.sessions.begin() as session:
            hold_events_until_commit(session)
            await write_events(session, [_event_row(record_id, "held")])
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RecordEvent)) == 0
