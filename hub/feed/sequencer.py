"""Feed positions in commit order.

A record event is written in the transaction that changes the record, with no position. The
sequencer gives positions afterwards, in batches: each batch locks the feed head (the first
statement writes it, so PostgreSQL holds the row lock and SQLite its write lock until commit),
numbers the events that have committed by then in id order, and commits. Two batches never
overlap, and a batch numbers only committed events, each after every position already handed
out — so a reader that has seen position p has seen, or will never be shown, nothing below p:
positions appear in whole batches, always above the last. An event whose transaction commits
late simply gets a later position; that is the point.

Why not order by id or time: an id is taken at insert, a transaction holding id 100 can commit
after one holding 101, and a reader that already passed 101 would skip 100 for ever.

A bulk writer (an ingest's chunk: a thousand events a transaction) positions its own events
instead: it holds them until its last statement, then locks the feed head, inserts them
with their positions and commits (`hold_events_until_commit`, `position_held_events`). The
head stays locked until that commit, so positions still follow commit order; and each event
row is written once, where numbering it afterwards would write every row (~1 KB with its
snapshot) a second time and leave the first as a dead row. Requests keep the sequencer: each
would hold the head lock through its own commit, and concurrent writers would queue on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from hub.db.background import Rounds
from hub.db.bulk import insert_many
from hub.feed.models import FeedHead
from hub.records.models import RecordEvent

BATCH = 5000
HEAD_ID = 1
_WROTE = "hub.feed.wrote_events"
_HELD = "hub.feed.events_held_for_commit"
_EVENTS = RecordEvent.metadata.tables[RecordEvent.__tablename__]


async def sequence_batch(session: AsyncSession, limit: int = BATCH) -> int:
    """Positions up to `limit` committed events, oldest id first. Returns how many."""
    waiting = select(RecordEvent.id).where(RecordEvent.position.is_(None)).limit(1)
    if await session.scalar(waiting) is None:
        return 0  # nothing to do: no lock taken
    last = await _lock_head(session)
    # Read after the lock: in PostgreSQL's READ COMMITTED each statement sees what had
    # committed when it began, so this sees the positions the previous batch gave.
    numbered = (
        select(
            RecordEvent.id,
            (func.row_number().over(order_by=RecordEvent.id) + last).label("position"),
        )
        .where(RecordEvent.position.is_(None))
        .order_by(RecordEvent.id)
        .limit(limit)
        .subquery()
    )
    result = await session.execute(
        update(RecordEvent)
        .where(RecordEvent.id == numbered.c.id)
        .values(position=numbered.c.position)
        .execution_options(synchronize_session=False)
    )
    done = int(result.rowcount or 0)  # type: ignore[attr-defined]
    await _move_head(session, last + done)
    return done


async def _lock_head(session: AsyncSession) -> int:
    """The last position handed out, the head locked until the transaction ends (the first
    statement writes it, so PostgreSQL holds the row lock and SQLite its write lock)."""
    last = await session.scalar(
        update(FeedHead)
        .where(FeedHead.id == HEAD_ID)
        .values(last_position=FeedHead.last_position)
        .returning(FeedHead.last_position)
    )
    if last is None:
        raise RuntimeError("the feed head is missing: run `hub db upgrade`")
    return int(last)


async def _move_head(session: AsyncSession, last_position: int) -> None:
    """The head after a batch, in the transaction that locked it (`_lock_head`)."""
    await session.execute(
        update(FeedHead).where(FeedHead.id == HEAD_ID).values(last_position=last_position)
    )


async def write_events(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Record events as plain rows (past the ORM): held for `position_held_events` when the
    transaction holds them, otherwise inserted now for the sequencer to position. Every row
    names the same columns (`reason` too, None where there is none): the rows a transaction
    holds, from whichever writer, go in as one COPY, which takes its columns from the first."""
    if not rows:
        return
    held: list[dict[str, Any]] | None = session.info.get(_HELD)
    if held is not None:
        held.extend(rows)
        return
    await insert_many(session, _EVENTS, rows)
    session.info[_WROTE] = True


def hold_events_until_commit(session: AsyncSession) -> None:
    """From now on in this transaction, `write_events` holds the events back: the caller
    ends it with `position_held_events` as its last statement before the commit."""
    session.info[_HELD] = []


async def position_held_events(session: AsyncSession) -> int:
    """Inserts the events held back, positioned after every position handed out, and keeps
    the head locked until the commit. Returns how many. Call it last: what the transaction
    does after it, every other writer of positions waits for."""
    held: list[dict[str, Any]] = session.info.pop(_HELD, None) or []
    if not held:
        return 0
    last = await _lock_head(session)
    for offset, row in enumerate(held, start=1):
        row["position"] = last + offset
    await insert_many(session, _EVENTS, held)
    await _move_head(session, last + len(held))
    return len(held)


class Sequencer(Rounds):
    """Positions committed events in the background of one hub process (and drains once
    when a command ends)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], interval: float = 1.0) -> None:
        super().__init__(
            sessions,
            sequence_batch,
            batch_size=BATCH,
            what="numbering change-feed events",
            interval=interval,
        )


def wrote_events(session: AsyncSession) -> bool:
    """Whether this session's transaction wrote record events (the sequencer is then woken)."""
    return bool(session.info.get(_WROTE))


@event.listens_for(Session, "before_commit")
def _refuse_to_lose_held_events(session: Session) -> None:
    # A transaction that held events back and commits without writing them would lose them.
    if session.info.get(_HELD):
        raise RuntimeError(
            "record events held for their feed positions were never written: "
            "call position_held_events before the commit"
        )


@event.listens_for(Session, "after_rollback")
def _drop_held_events(session: Session) -> None:
    # They belonged to the transaction that is gone, as its other writes do.
    session.info.pop(_HELD, None)


@event.listens_for(Session, "after_flush")
def _note_written_events(session: Session, _context: Any) -> None:
    # After a flush `session.new` still lists what it inserted.
    if any(isinstance(obj, RecordEvent) for obj in session.new):
        session.info[_WROTE] = True
