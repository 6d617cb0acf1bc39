"""Reading the change feed and the snapshot a consumer starts from.

A page reads the feed head first and then only positions up to it: everything at or below the
head has committed (the head moves in the sequencer's transaction), so a page never shows a
later position without every earlier one. The cursor is the last position the page covered;
at the end of the feed it is the head itself, so a consumer does not scan the same filtered-out
stretch again."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.enforcement import FOR_FEED
from hub.access.rules import shared_in_feed
from hub.agencies.models import Agency
from hub.audit.purposes import AccessPurpose, Stated
from hub.audit.service import note_person_reads
from hub.auth.actor import Actor
from hub.auth.scopes import RECORDS_READ_PII
from hub.db.cursors import decode_cursor, encode_cursor
from hub.errors import CursorExpired, InvalidInput
from hub.feed.events import (
    SNAPSHOT_TYPE,
    AgencyView,
    CloudEvent,
    Origin,
    SubjectView,
    event_type,
    record_data,
)
from hub.feed.models import FeedHead
from hub.feed.sequencer import HEAD_ID
from hub.records.enums import RecordCategory, SubjectType
from hub.records.models import CreditRecord, RecordEvent
from hub.subjects.models import Organization, Person
from hub.subjects.pii import PiiCipher
from hub.subjects.service import rows_by

MAX_CHANGES = 5000
CHANGE = "change"
SNAPSHOT = "snapshot"
# Every person a page shows is audited under this purpose (PIPL Art. 6).
SYNC = Stated(AccessPurpose.PLATFORM_SYNC, None)
RESYNC = (
    "this cursor is older than the feed keeps ({days} days): read recordsSnapshot to the end, "
    "then follow changes from the snapshot's feedCursor"
)


@dataclass(frozen=True)
class ChangeFilter:
    categories: frozenset[RecordCategory] | None = None
    since: datetime | None = None  # events at or after this moment
    subject_type: SubjectType | None = None


@dataclass(frozen=True)
class Reader:
    """Who reads, and what the page is judged against."""

    actor: Actor
    pii: PiiCipher
    hub: str  # this hub's URN: the CloudEvents `source`
    today: date
    now: datetime
    retention_days: int


@dataclass(frozen=True)
class Edge:
    cursor: str
    event: CloudEvent


@dataclass(frozen=True)
class ChangePage:
    edges: list[Edge]
    end_cursor: str | None
    has_next_page: bool


@dataclass(frozen=True)
class SnapshotPage:
    edges: list[Edge]
    end_cursor: str | None
    has_next_page: bool
    # Where to follow the feed once the snapshot has been read to its end.
    feed_cursor: str
    as_of: datetime


async def read_changes(
    session: AsyncSession,
    reader: Reader,
    *,
    after: str | None,
    first: int,
    flt: ChangeFilter = ChangeFilter(),
) -> ChangePage:
    _check_first(first)
    start = decode_cursor(CHANGE, after) if after else 0
    head = await _head(session)
    await _refuse_expired(session, reader, start)
    query = (
        _events_with_records()
        .where(RecordEvent.position > start, RecordEvent.position <= head)
        .order_by(RecordEvent.position)
        .limit(first + 1)
    )
    rows = (await session.execute(_filtered(query, flt))).all()
    more = len(rows) > first
    rows = rows[:first]
    events = await _events(session, reader, rows)
    positions = [int(event.position or 0) for event, *_ in rows]  # all positioned: <= head
    edges = [Edge(encode_cursor(CHANGE, p), e) for p, e in zip(positions, events, strict=True)]
    end: str | None
    if more:
        end = edges[-1].cursor
    elif head > start:
        end = encode_cursor(CHANGE, head)
    else:
        end = after
    return ChangePage(edges, end, more)


async def read_snapshot(
    session: AsyncSession, reader: Reader, *, after: str | None, first: int
) -> SnapshotPage:
    """The records the reader may use, one event each, by record id; every page carries the
    feed position the first page was read at. Records that change while the snapshot is read
    come again from the feed after that position: applying them again converges."""
    _check_first(first)
    if after:
        head, start = _decode_snapshot_cursor(after)
    else:
        head, start = await _head(session), 0
    query = (
        select(CreditRecord, Agency)
        .join(Agency, Agency.id == CreditRecord.source_agency_id)
        .where(CreditRecord.id > start)
        .order_by(CreditRecord.id)
        .limit(first + 1)
    )
    rows = (await session.execute(query)).all()
    more = len(rows) > first
    scanned = rows[:first]
    reader_agency = reader.actor.agency_id
    rows = [
        row
        for row in scanned
        if shared_in_feed(reader_agency, row[0].source_agency_id, row[0].status, row[0].repaired_on)
    ]
    subjects = await _subjects(session, reader, [row[0] for row in rows])
    edges = []
    for record, agency in rows:
        origin = Origin.of(reader.hub, _agency(agency), record.stream, record.source_ref)
        data = record_data(origin, record, _subject_of(record, subjects), True, reader.today)
        event = CloudEvent(
            id=f"snapshot-{head}-{record.id}",
            source=reader.hub,
            type=SNAPSHOT_TYPE,
            subject=origin.subject,
            time=reader.now,
            data=data,
        )
        edges.append(Edge(_encode_snapshot_cursor(head, record.id), event))
    _note_reads(session, subjects, "recordsSnapshot")
    end = _encode_snapshot_cursor(head, scanned[-1][0].id) if scanned else after
    return SnapshotPage(edges, end, more, encode_cursor(CHANGE, head), reader.now)


def _check_first(first: int) -> None:
    if not 1 <= first <= MAX_CHANGES:
        raise InvalidInput(f"first must be between 1 and {MAX_CHANGES}", field="first")


async def _head(session: AsyncSession) -> int:
    head = await session.scalar(select(FeedHead.last_position).where(FeedHead.id == HEAD_ID))
    return int(head or 0)


async def _refuse_expired(session: AsyncSession, reader: Reader, start: int) -> None:
    """A consumer resumes only where the feed still holds what follows its cursor."""
    next_at = await session.scalar(
        select(RecordEvent.at)
        .where(RecordEvent.position > start)
        .order_by(RecordEvent.position)
        .limit(1)
    )
    if next_at is not None and next_at < reader.now - timedelta(days=reader.retention_days):
        raise CursorExpired(
            RESYNC.format(days=reader.retention_days),
            field="after",
            extra={"resync": "recordsSnapshot"},
        )


def _events_with_records() -> Select[RecordEvent, CreditRecord, Agency]:
    return (
        select(RecordEvent, CreditRecord, Agency)
        .join(CreditRecord, CreditRecord.id == RecordEvent.record_id)
        .join(Agency, Agency.id == CreditRecord.source_agency_id)
        .execution_options(**{FOR_FEED: True})
    )


def _filtered(
    query: Select[RecordEvent, CreditRecord, Agency], flt: ChangeFilter
) -> Select[RecordEvent, CreditRecord, Agency]:
    if flt.categories:
        query = query.where(CreditRecord.category.in_(flt.categories))
    if flt.since is not None:
        query = query.where(RecordEvent.at >= flt.since)
    if flt.subject_type is not None:
        query = query.where(CreditRecord.subject_type == flt.subject_type)
    return query


async def _events(session: AsyncSession, reader: Reader, rows: Sequence[Any]) -> list[CloudEvent]:
    reader_agency = reader.actor.agency_id
    shared = {
        record.id: shared_in_feed(
            reader_agency, record.source_agency_id, record.status, record.repaired_on
        )
        for _, record, _ in rows
    }
    subjects = await _subjects(session, reader, [r for _, r, _ in rows if shared[r.id]])
    events = []
    for event, record, agency in rows:
        origin = Origin.of(reader.hub, _agency(agency), record.stream, record.source_ref)
        visible = shared[record.id]
        subject = _subject_of(record, subjects) if visible else None
        events.append(
            CloudEvent(
                id=str(event.position),
                source=reader.hub,
                type=event_type(event.kind, visible),
                subject=origin.subject,
                time=event.at,
                data={
                    **record_data(origin, record, subject, visible, reader.today),
                    "change": event.kind,
                    "eventVersion": event.version,
                },
            )
        )
    _note_reads(session, subjects, "changes")
    return events


_Subjects = dict[tuple[SubjectType, int], SubjectView]


async def _subjects(
    session: AsyncSession, reader: Reader, records: Sequence[CreditRecord]
) -> _Subjects:
    """The subjects of `records` as the reader may see them (clear only with the PII scope)."""
    clear = reader.actor.has(RECORDS_READ_PII)
    persons = await rows_by(session, Person.id, {r.person_id for r in records if r.person_id})
    bodies = await rows_by(
        session, Organization.id, {r.organization_id for r in records if r.organization_id}
    )
    views: _Subjects = {}
    for person in persons.values():
        views[SubjectType.PERSON, person.id] = SubjectView(
            SubjectType.PERSON,
            id_number=reader.pii.decrypt(person.id_cipher) if clear else person.id_masked,
            name=reader.pii.decrypt(person.name_cipher) if clear else person.name_masked,
            region_code=person.region_code,
            key=person.id_hash,
        )
    for body in bodies.values():
        views[SubjectType.ORGANIZATION, body.id] = SubjectView(
            SubjectType.ORGANIZATION, uscc=body.uscc, name=body.name, region_code=body.region_code
        )
    return views


def _subject_of(record: CreditRecord, subjects: _Subjects) -> SubjectView | None:
    if record.person_id is not None:
        return subjects.get((SubjectType.PERSON, record.person_id))
    if record.organization_id is not None:
        return subjects.get((SubjectType.ORGANIZATION, record.organization_id))
    return None


def _note_reads(session: AsyncSession, subjects: _Subjects, operation: str) -> None:
    reads = [(view.key, "given to a sync client") for view in subjects.values() if view.key]
    if reads:
        note_person_reads(session, SYNC, operation, reads)


def _agency(agency: Agency) -> AgencyView:
    return AgencyView(
        agency.uscc, agency.name, agency.family.value, agency.level.value, agency.region_code
    )


def _encode_snapshot_cursor(head: int, record_id: int) -> str:
    return base64.urlsafe_b64encode(f"{SNAPSHOT}:{head}:{record_id}".encode()).decode()


def _decode_snapshot_cursor(cursor: str) -> tuple[int, int]:
    try:
        kind, head, record_id = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if kind != SNAPSHOT:
            raise ValueError(kind)
        return int(head), int(record_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("not a cursor recordsSnapshot returned", field="after") from exc
