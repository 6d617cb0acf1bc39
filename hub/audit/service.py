"""Keeping the audit trail. Reads and checks *note* their accesses in the session that made
them; the edge *seals* them after that transaction commits, in a short transaction of its
own that locks the chain head only for the append (so concurrent requests queue for a few
statements, not for a whole request). An answer is released only once its accesses are
sealed: if sealing fails, the caller gets an error, not the data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.chain import (
    AccessEntry,
    Head,
    Verification,
    Walker,
    seal,
    sealed_head,
)
from hub.audit.models import AuditEvent, AuditHead
from hub.db.cursors import decode_cursor
from hub.errors import InvalidInput

HEAD_ID = 1
VERIFY_CHUNK = 5000
MAX_PAGE = 100
_PENDING = "hub.audit.pending"
_CALLER = "hub.audit.caller"


@dataclass(frozen=True)
class Caller:
    """Who made the accesses of one request or one CLI command."""

    client_id: str | None
    agency_id: int | None
    request_id: str


def open_trail(session: AsyncSession, caller: Caller) -> None:
    """Marks a session as audited: its notes are kept for sealing."""
    session.info[_CALLER] = caller
    session.info[_PENDING] = []


def note(session: AsyncSession, entries: Iterable[AccessEntry]) -> None:
    pending = session.info.get(_PENDING)
    if pending is None:
        # Fail closed: a read of personal data through a session nobody will seal.
        raise RuntimeError("this session keeps no audit trail; open it with open_trail()")
    pending.extend(entries)


def has_pending(session: AsyncSession) -> bool:
    return bool(session.info.get(_PENDING))


def take_pending(session: AsyncSession) -> tuple[Caller | None, list[AccessEntry]]:
    caller = session.info.get(_CALLER)
    pending: list[AccessEntry] = session.info.get(_PENDING) or []
    session.info[_PENDING] = []
    return caller, pending


async def seal_pending(
    sessions: async_sessionmaker[AsyncSession], session: AsyncSession, key: bytes
) -> int:
    """Seals what `session` noted (call after it committed). Returns the rows appended."""
    caller, entries = take_pending(session)
    if not entries or caller is None:
        return 0
    async with sessions.begin() as sealing:
        await append(sealing, key, caller, entries)
    return len(entries)


async def append(
    session: AsyncSession, key: bytes, caller: Caller, entries: Sequence[AccessEntry]
) -> None:
    # The first statement writes the head row: PostgreSQL locks it until commit, and SQLite
    # takes its write lock before anything is read, so no two appends see the same head.
    locked = await session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_seq=AuditHead.last_seq)
        .returning(
            AuditHead.first_seq, AuditHead.first_prev_hash, AuditHead.last_seq, AuditHead.last_hash
        )
    )
    first_seq, first_prev_hash, last_seq, prev = locked.one()
    rows = []
    for offset, entry in enumerate(entries, start=1):
        row = AuditEvent(
            seq=last_seq + offset,
            at=entry.at,
            request_id=caller.request_id,
            client_id=caller.client_id,
            agency_id=caller.agency_id,
            operation=entry.operation,
            subject_type=entry.subject_type,
            subject_key=entry.subject_key,
            purpose=entry.purpose,
            reference=entry.reference,
            result=entry.result,
            prev_hash=prev,
        )
        row.hash = prev = seal(key, row.prev_hash, row)
        rows.append(_values(row))
    await session.execute(insert(AuditEvent), rows)
    head = sealed_head(key, first_seq, first_prev_hash, last_seq + len(entries), prev)
    await session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_seq=head.last_seq, last_hash=head.last_hash, mac=head.mac)
    )


def _values(row: AuditEvent) -> dict[str, object]:
    return {c.key: getattr(row, c.key) for c in AuditEvent.__table__.columns}


async def load_head(session: AsyncSession) -> Head | None:
    row = await session.get(AuditHead, HEAD_ID, populate_existing=True)
    if row is None:
        return None
    return Head(row.first_seq, row.first_prev_hash, row.last_seq, row.last_hash, row.mac)


async def verify_chain(session: AsyncSession, key: bytes) -> Verification:
    """Walks the whole chain in chunks of VERIFY_CHUNK rows, in sequence order."""
    walker = Walker(key, await load_head(session))
    after: int | None = None
    while walker.fault is None:
        query = select(AuditEvent).order_by(AuditEvent.seq).limit(VERIFY_CHUNK)
        if after is not None:
            query = query.where(AuditEvent.seq > after)
        chunk = list(await session.scalars(query))
        for row in chunk:
            if walker.feed(row) is not None:
                break
        session.expunge_all()
        if len(chunk) < VERIFY_CHUNK:
            break
        after = chunk[-1].seq
    return walker.finish()


async def prune(
    session: AsyncSession, key: bytes, before: datetime, *, dry_run: bool = False
) -> int:
    """Removes the oldest rows, those sealed before `before`, and moves the head's start
    so the rest still verifies. Whole prefix only: the chain never gets a hole."""
    head = await load_head(session)
    if head is None or head.is_genesis:
        return 0
    last_old = await session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.at < before))
    if last_old is None:
        return 0
    # Rows are sealed in time order within a request but requests interleave: keep every
    # row from the first one at or after the cut-off, even if an older one follows it.
    first_kept = await session.scalar(
        select(func.min(AuditEvent.seq)).where(AuditEvent.at >= before)
    )
    cut = last_old if first_kept is None else min(last_old, first_kept - 1)
    if cut < head.first_seq:
        return 0
    if dry_run:
        return cut - head.first_seq + 1
    boundary = await session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == cut))
    if boundary is None:
        raise RuntimeError(f"audit row {cut} is missing; run `hub audit verify`")
    removed = await session.execute(delete(AuditEvent).where(AuditEvent.seq <= cut))
    moved = sealed_head(key, cut + 1, boundary, head.last_seq, head.last_hash)
    await session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(first_seq=moved.first_seq, first_prev_hash=moved.first_prev_hash, mac=moved.mac)
    )
    return int(removed.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    has_next_page: bool


async def trail(
    session: AsyncSession, subject_key: str, *, first: int, after: str | None
) -> TrailPage:
    """Who accessed this subject, newest first."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_key == subject_key)
        .order_by(AuditEvent.seq.desc())
        .limit(first + 1)
    )
    if after is not None:
        query = query.where(AuditEvent.seq < decode_cursor("audit", after))
    rows = list(await session.scalars(query))
    return TrailPage(rows[:first], has_next_page=len(rows) > first)
