"""Keeping the audit trail. Reads and checks *note* their accesses in the session that made
them; when that session commits, the notes are recorded in the same transaction (a
`before_commit` hook below, so no edge can forget them); hub.audit.sealing then seals them
into the hash chain in batches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hub.audit.chain import (
    AccessEntry,
    Head,
    Verification,
    Walker,
    sealed_head,
)
from hub.audit.models import AuditEvent, AuditHead, PendingAccess
from hub.audit.purposes import Stated
from hub.db.base import utcnow
from hub.db.bulk import insert_rows
from hub.db.cursors import decode_cursor
from hub.errors import InvalidInput
from hub.records.enums import SubjectType

HEAD_ID = 1
VERIFY_CHUNK = 5000
MAX_PAGE = 100
_PENDING = "hub.audit.pending"
_CALLER = "hub.audit.caller"
_RECORDED = "hub.audit.recorded"


@dataclass(frozen=True)
class Caller:
    """Who made the accesses of one request or one CLI command."""

    client_id: str | None
    agency_id: int | None
    request_id: str


class Sealing(Protocol):
    async def seal_all(self) -> int: ...


def open_trail(session: AsyncSession, caller: Caller) -> None:
    """Marks a session as audited: what it notes is recorded when it commits."""
    session.info[_CALLER] = caller
    session.info[_PENDING] = []


def note(session: AsyncSession, entries: Iterable[AccessEntry]) -> None:
    pending = session.info.get(_PENDING)
    if pending is None:
        # Fail closed: a read of personal data through a session that records no trail.
        raise RuntimeError("this session keeps no audit trail; open it with open_trail()")
    pending.extend(entries)


def note_person_reads(
    session: AsyncSession, stated: Stated, operation: str, reads: Iterable[tuple[str, str]]
) -> None:
    """`reads`: (keyed hash of the ID number, what was returned) for each person read."""
    at = utcnow()
    note(
        session,
        (
            AccessEntry(
                operation=operation,
                subject_type=SubjectType.PERSON.value,
                subject_key=key,
                purpose=stated.purpose.value,
                reference=stated.reference,
                result=result,
                at=at,
            )
            for key, result in dict(reads).items()
        ),
    )


def recorded_any(session: AsyncSession) -> bool:
    """Whether a commit of this session recorded accesses (the CLI then seals at once)."""
    return bool(session.info.get(_RECORDED))


def _take_pending(session: AsyncSession | Session) -> tuple[Caller | None, list[AccessEntry]]:
    caller = session.info.get(_CALLER)
    pending: list[AccessEntry] = session.info.get(_PENDING) or []
    session.info[_PENDING] = []
    return caller, pending


@event.listens_for(Session, "before_commit")
def _record_noted_accesses(session: Session) -> None:
    caller, entries = _take_pending(session)
    if not entries or caller is None:
        return
    # Plain values into one table, on this transaction (COPY for a batch's thousands).
    insert_rows(
        session.connection(),
        PendingAccess.metadata.tables[PendingAccess.__tablename__],
        [
            {
                "at": e.at,
                "request_id": caller.request_id,
                "client_id": caller.client_id,
                "agency_id": caller.agency_id,
                "operation": e.operation,
                "subject_type": e.subject_type,
                "subject_key": e.subject_key,
                "purpose": e.purpose,
                "reference": e.reference,
                "result": e.result,
            }
            for e in entries
        ],
    )
    session.info[_RECORDED] = True


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


async def hash_at(session: AsyncSession, seq: int) -> str | None:
    return await session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))


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


async def read_trail(
    session: AsyncSession,
    sealer: Sealing,
    subject_key: str,
    stated: Stated | None,
    *,
    first: int,
    after: str | None,
) -> TrailPage:
    """Who accessed this subject, newest first, after sealing what is pending (so the answer
    is whole). `stated`: the purpose of reading a person's trail, itself an audited read;
    None for a body's."""
    await sealer.seal_all()
    page = await trail(session, subject_key, first=first, after=after)
    if stated is not None:
        note_person_reads(
            session, stated, "auditTrail", [(subject_key, f"{len(page.events)} entries")]
        )
    return page


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
