"""What operators ask of ingest: runs, cursors, the quarantine, the totals `/metrics` shows —
and replaying quarantined rows once the mapping or the reference data has been fixed."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Connector, Row, SourceDataError, stored_record
from connectors.registry import CONNECTORS
from hub.agencies.models import Agency
from hub.db.base import utcnow
from hub.ingest.chunk import ChunkResult, apply_chunk, sort_rows
from hub.ingest.models import IngestCursor, IngestRun, QuarantinedRow
from hub.ingest.quarantine import Content, fingerprint, sealed, unsealed
from hub.subjects.pii import PiiCipher


async def recent_runs(session: AsyncSession, limit: int = 20) -> list[tuple[IngestRun, Agency]]:
    rows = await session.execute(
        select(IngestRun, Agency)
        .join(Agency, IngestRun.agency_id == Agency.id)
        .order_by(IngestRun.id.desc())
        .limit(limit)
    )
    return [(run, agency) for run, agency in rows]


async def cursors(session: AsyncSession) -> list[tuple[IngestCursor, Agency]]:
    rows = await session.execute(
        select(IngestCursor, Agency)
        .join(Agency, IngestCursor.agency_id == Agency.id)
        .order_by(Agency.name, IngestCursor.connector, IngestCursor.stream)
    )
    return [(cursor, agency) for cursor, agency in rows]


async def open_quarantine(
    session: AsyncSession,
    *,
    run_id: int | None = None,
    ids: Collection[int] | None = None,
    limit: int = 200,
) -> list[QuarantinedRow]:
    query = select(QuarantinedRow).where(*_open(run_id))
    if ids is not None:
        query = query.where(QuarantinedRow.id.in_(ids))
    return list(await session.scalars(query.order_by(QuarantinedRow.id).limit(limit)))


async def quarantine_listing(
    session: AsyncSession, *, run_id: int | None = None, limit: int = 200
) -> list[Any]:
    """The open quarantine as `hub quarantine list` shows it — where, what, which field, why —
    without the rows themselves: an operator reads those in the source, at `location`."""
    q = QuarantinedRow
    query = select(
        q.id,
        q.run_id,
        q.connector,
        q.stream,
        q.location,
        q.source_ref,
        q.subject,
        q.field,
        q.reason,
    )
    rows = await session.execute(query.where(*_open(run_id)).order_by(q.id).limit(limit))
    return list(rows.all())


async def clear_rows(session: AsyncSession) -> int:
    """How many rows, open or resolved, still hold their content in clear (from before
    revision 0005): `hub quarantine seal` encrypts them."""
    query = select(func.count()).select_from(QuarantinedRow)
    return int(await session.scalar(query.where(QuarantinedRow.payload.is_(None))) or 0)


async def seal_clear_rows(session: AsyncSession, pii: PiiCipher, batch: int = 500) -> int:
    """Encrypts the content of the rows quarantined before revision 0005 and empties their
    clear columns; returns how many. Resolved rows too: they hold the same personal data."""
    q = QuarantinedRow
    query = select(q.id, q.clear_raw, q.clear_record).where(q.payload.is_(None))
    done = 0
    while rows := (await session.execute(query.order_by(q.id).limit(batch))).all():
        values = [
            {"id": row_id, **sealed(pii, Content(raw or {}, record))}
            for row_id, raw, record in rows
        ]
        await session.execute(update(QuarantinedRow), values)
        done += len(values)
    return done


async def fingerprint_rows(session: AsyncSession, pii: PiiCipher, batch: int = 500) -> int:
    """Gives the rows quarantined before revision 0006 their fingerprint; an open row that
    repeats an older open one is closed as its duplicate (kept, never deleted). Returns how
    many duplicates were closed. Run after `seal_clear_rows` (it reads the encrypted rows)."""
    q = QuarantinedRow
    closed = 0
    query = select(q).where(q.fingerprint.is_(None), q.payload.is_not(None)).order_by(q.id)
    while rows := list(await session.scalars(query.limit(batch))):
        for row in rows:
            print_ = fingerprint(pii, row.location, unsealed(pii, row))
            if row.resolved_at is None and await _open_twin(session, row, print_) is not None:
                row.resolved_at, row.resolution = utcnow(), "duplicate"
                closed += 1
            row.fingerprint = print_
            await session.flush()
    return closed


async def _open_twin(session: AsyncSession, row: QuarantinedRow, print_: str) -> int | None:
    q = QuarantinedRow
    return await session.scalar(
        select(q.id).where(
            q.id != row.id,
            q.agency_id == row.agency_id,
            q.connector == row.connector,
            q.stream == row.stream,
            q.fingerprint == print_,
            q.resolved_at.is_(None),
        )
    )


def _open(run_id: int | None) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = [QuarantinedRow.resolved_at.is_(None)]
    return criteria if run_id is None else [*criteria, QuarantinedRow.run_id == run_id]


@dataclass
class StreamTotals:
    """Everything the runs of one connector's stream have done, summed over all agencies and
    runs — those in progress included, as far as their committed chunks go."""

    connector: str
    stream: str
    runs: dict[str, int] = field(default_factory=dict)  # by status
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    last_success: datetime | None = None  # when the latest SUCCEEDED run finished
    open_quarantine: int = 0


async def stream_totals(session: AsyncSession) -> list[StreamTotals]:
    """Two GROUP BY queries whatever the number of runs and rows, cheap enough for every
    Prometheus scrape: one row per (connector, stream, status), one per stream with open
    quarantined rows (read through the index on resolved_at)."""
    runs = await session.execute(
        select(
            IngestRun.connector,
            IngestRun.stream,
            IngestRun.status,
            func.count(),
            func.coalesce(func.sum(IngestRun.rows_read), 0),
            func.coalesce(func.sum(IngestRun.inserted), 0),
            func.coalesce(func.sum(IngestRun.updated), 0),
            func.coalesce(func.sum(IngestRun.unchanged), 0),
            func.coalesce(func.sum(IngestRun.quarantined), 0),
            func.max(IngestRun.finished_at),
        ).group_by(IngestRun.connector, IngestRun.stream, IngestRun.status)
    )
    totals: dict[tuple[str, str], StreamTotals] = {}
    for connector, stream, status, count, read, inserted, updated, unchanged, held, last in runs:
        entry = totals.setdefault((connector, stream), StreamTotals(connector, stream))
        entry.runs[status] = int(count)
        entry.rows_read += int(read)
        entry.inserted += int(inserted)
        entry.updated += int(updated)
        entry.unchanged += int(unchanged)
        entry.quarantined += int(held)
        if status == "SUCCEEDED":
            entry.last_success = last
    open_rows = await session.execute(
        select(QuarantinedRow.connector, QuarantinedRow.stream, func.count())
        .where(QuarantinedRow.resolved_at.is_(None))
        .group_by(QuarantinedRow.connector, QuarantinedRow.stream)
    )
    for connector, stream, count in open_rows:
        entry = totals.setdefault((connector, stream), StreamTotals(connector, stream))
        entry.open_quarantine = int(count)
    return [totals[key] for key in sorted(totals)]


@dataclass(frozen=True)
class ReplayResult:
    run_id: int
    replayed: int
    accepted: int
    still_quarantined: int


async def replay(
    session: AsyncSession,
    pii: PiiCipher,
    rows: Sequence[QuarantinedRow],
    today: date,
) -> list[ReplayResult]:
    """Each (agency, connector, stream) group is replayed as a run of its own. Rows that fail
    again are quarantined anew under that run, with today's reason; the originals are closed
    either way, so the open quarantine always says what is wrong now."""
    groups: dict[tuple[int, str, str], list[QuarantinedRow]] = {}
    for row in rows:
        groups.setdefault((row.agency_id, row.connector, row.stream), []).append(row)
    results = []
    for (agency_id, connector, stream), members in groups.items():
        run = IngestRun(
            connector=connector,
            stream=stream,
            agency_id=agency_id,
            source=f"replay of {len(members)} quarantined row(s)",
            status="RUNNING",
            notes={},
        )
        session.add(run)
        now = utcnow()
        # Closed first: a row that fails again is quarantined anew, which the open original
        # (the same row, the same fingerprint) would otherwise stand in for.
        for member in members:
            member.resolved_at, member.resolution = now, "replayed"
        await session.flush()
        fresh = _rows_again(pii, members, stream, CONNECTORS.get(connector), today)
        sorted_rows = sort_rows(fresh)
        chunk = await apply_chunk(session, pii, agency_id, connector, stream, run.id, sorted_rows)
        _close_run(run, chunk)
        results.append(
            ReplayResult(run.id, len(members), len(fresh) - chunk.quarantined, chunk.quarantined)
        )
    return results


def _rows_again(
    pii: PiiCipher,
    members: Sequence[QuarantinedRow],
    stream: str,
    connector: Connector[Any] | None,
    today: date,
) -> list[Row]:
    """Each row read again with its connector's mapping as it is now (a row that failed
    because of the mapping may pass); without one, as it was stored."""
    rows: list[Row] = []
    for member in members:
        content = unsealed(pii, member)
        raw, record = content.raw, content.record
        if connector is None:
            rows.append(
                Row(
                    stream,
                    raw,
                    member.location,
                    record=stored_record(record) if record else None,
                    problem=None if record else (member.field, member.reason),
                )
            )
            continue
        try:
            records = connector.remap(stream, raw, today)
        except SourceDataError as exc:
            rows.append(Row(stream, raw, member.location, problem=(exc.field, exc.message)))
            continue
        rows.extend(Row(stream, raw, member.location, record=r) for r in records)
    return rows


def _close_run(run: IngestRun, chunk: ChunkResult) -> None:
    run.rows_read, run.inserted, run.updated = chunk.rows, chunk.inserted, chunk.updated
    run.unchanged, run.quarantined = chunk.unchanged, chunk.quarantined
    run.status, run.finished_at = "SUCCEEDED", utcnow()
