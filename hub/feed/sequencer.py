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
after one holding 101, and a reader that already passed 101 would skip 100 for ever."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from hub.db.background import Rounds
from hub.feed.models import FeedHead
from hub.records.models import RecordEvent

BATCH = 5000
HEAD_ID = 1
_WROTE = "hub.feed.wrote_events"


async def sequence_batch(session: AsyncSession, limit: int = BATCH) -> int:
    """Positions up to `limit` committed events, oldest id first. Returns how many."""
    waiting = select(RecordEvent.id).where(RecordEvent.position.is_(None)).limit(1)
    if await session.scalar(waiting) is None:
        return 0  # nothing to do: no lock taken
    last = await session.scalar(
        update(FeedHead)
        .where(FeedHead.id == HEAD_ID)
        .values(last_position=FeedHead.last_position)
        .returning(FeedHead.last_position)
    )
    if last is None:
        raise RuntimeError("the feed head is missing: run `hub db upgrade`")
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
    await session.execute(
        update(FeedHead).where(FeedHead.id == HEAD_ID).values(last_position=last + done)
    )
    return done


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


def note_events_written(session: AsyncSession) -> None:
    """For events written as rows, past the ORM's flush (which notes them itself)."""
    session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _note_written_events(session: Session, _context: Any) -> None:
    # After a flush `session.new` still lists what it inserted.
    if any(isinstance(obj, RecordEvent) for obj in session.new):
        session.info[_WROTE] = True
