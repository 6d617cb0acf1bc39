"""Running a connector: every chunk of rows — up to the connector's next Checkpoint — is
normalised, resolved, upserted and quarantined in ONE transaction together with the cursor
that covers it. A crash loses at most the chunk in flight, which the next run reads again
from the committed cursor: the database ends exactly as after one clean run."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import Checkpoint, ConnectorError, Stream, TransientError
from hub.agencies.models import Agency
from hub.db.base import utcnow
from hub.errors import InvalidInput, NotFound
from hub.feed.sequencer import hold_events_until_commit, position_held_events
from hub.ingest.chunk import ChunkResult, SortedRows, apply_chunk
from hub.ingest.models import IngestCursor, IngestRun
from hub.ingest.reader import ChunkReader
from hub.subjects.pii import PiiCipher

Progress = Callable[[int], None]
# Called after each chunk's commit (hub.db.statistics.WriterCare).
AfterCommit = Callable[[], Awaitable[object]]
log = logging.getLogger("hub.ingest")


@dataclass
class RunSummary:
    run_id: int
    stream: str
    status: str = "RUNNING"
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    notes: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def add(self, chunk: ChunkResult) -> None:
        self.rows_read += chunk.rows
        self.inserted += chunk.inserted
        self.updated += chunk.updated
        self.unchanged += chunk.unchanged
        self.quarantined += chunk.quarantined


@dataclass(frozen=True)
class Source:
    """What to run: a connector, its config, and whose records these are."""

    connector: Any
    config: Any
    agency_id: int
    label: str  # file path or URL, for the run record (never credentials)


@dataclass(frozen=True)
class RetryPolicy:
    """How often a run reads again from its last committed cursor when the source is
    momentarily unavailable (TransientError): up to `attempts` times in a row, waiting
    `first_wait` seconds, doubling, at most `max_wait`. Progress resets the count."""

    attempts: int = 5
    first_wait: float = 1.0
    max_wait: float = 30.0

    def wait(self, failures: int) -> float:
        return min(self.max_wait, self.first_wait * 2 ** (failures - 1))


Sleep = Callable[[float], Awaitable[None]]


async def run_ingest(
    sessions: async_sessionmaker[AsyncSession],
    pii: PiiCipher,
    source: Source,
    stream: Stream,
    progress: Progress | None = None,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Sleep = asyncio.sleep,
    *,
    allow_family_mismatch: bool = False,
    after_commit: AfterCommit | None = None,
) -> RunSummary:
    """A ConfigError stops the run at once (the operator must fix something); a
    TransientError is retried from the last committed cursor; a row the source cannot give
    is quarantined by the connector's mapping and the run goes on. A connector feeds only
    agencies of its family (court listings come from a court) unless `allow_family_mismatch`,
    which the run records."""
    override = await _family_check(sessions, source, allow_family_mismatch)
    summary = await _start_run(sessions, source, stream)
    if override:
        summary.notes["family_override"] = override
    failures = 0
    try:
        while True:
            read_before = summary.rows_read
            try:
                await _read_from_cursor(
                    sessions, pii, source, stream, summary, progress, after_commit
                )
                break
            except TransientError as exc:
                failures = 1 if summary.rows_read > read_before else failures + 1
                _log_for_operator(source, exc)
                if failures > retry.attempts:
                    raise
                summary.notes["retries"] = str(int(summary.notes.get("retries", "0")) + 1)
                await sleep(retry.wait(failures))
    except ConnectorError as exc:
        if not isinstance(exc, TransientError):
            _log_for_operator(source, exc)
        summary.status, summary.error = "FAILED", f"{type(exc).__name__}: {exc.message}"
    except Exception as exc:
        summary.status, summary.error = "FAILED", f"unexpected {type(exc).__name__}"
        await _finish(sessions, summary)
        raise
    else:
        summary.status = "SUCCEEDED"
    await _finish(sessions, summary)
    return summary


async def _read_from_cursor(
    sessions: async_sessionmaker[AsyncSession],
    pii: PiiCipher,
    source: Source,
    stream: Stream,
    summary: RunSummary,
    progress: Progress | None,
    after_commit: AfterCommit | None,
) -> None:
    """Reads the stream from its committed cursor, one transaction per chunk."""
    await asyncio.to_thread(source.connector.check, source.config)
    state = await _cursor(sessions, source, stream)
    reader = ChunkReader(source.connector, source.config, stream, state)
    ahead = asyncio.ensure_future(reader.next_chunk())
    try:
        while True:
            chunk, checkpoint = await ahead
            if not chunk.rows and checkpoint is None:
                return
            # The next chunk is read, mapped, normalised and validated in the reader's
            # process while this one is stored: that work runs on another core. Nothing is
            # committed ahead: the cursor still moves with its chunk.
            ahead = asyncio.ensure_future(reader.next_chunk())
            await _store_chunk(sessions, pii, source, stream, summary, chunk, checkpoint)
            if progress:
                progress(chunk.rows)
            if after_commit:
                await after_commit()
    finally:
        await _settle(ahead)
        reader.close()


async def _settle(ahead: asyncio.Future[Any]) -> None:
    """Waits for a chunk still being read (the next attempt reads the source anew, from a
    reader of its own); its error, if any, matters no more than its rows: the one being
    raised is the run's."""
    with contextlib.suppress(Exception):
        await ahead


async def _store_chunk(
    sessions: async_sessionmaker[AsyncSession],
    pii: PiiCipher,
    source: Source,
    stream: Stream,
    summary: RunSummary,
    chunk: SortedRows,
    checkpoint: Checkpoint | None,
) -> None:
    """One chunk, its cursor and the run's progress, in one transaction, which positions
    the chunk's feed events itself at its end (hub.feed.sequencer)."""
    async with sessions.begin() as session:
        hold_events_until_commit(session)
        result = await apply_chunk(
            session, pii, source.agency_id, source.connector.name, stream.name,
            summary.run_id, chunk,
        )  # fmt: skip
        summary.add(result)
        if checkpoint is not None:
            summary.notes.update(checkpoint.notes)
            await _save_cursor(session, source, stream, checkpoint.state)
        await _record_progress(session, summary)
        await position_held_events(session)


async def _family_check(
    sessions: async_sessionmaker[AsyncSession], source: Source, allowed: bool
) -> str | None:
    """None when the agency is of the connector's family; the note to record when the
    operator overrode a mismatch; otherwise refused, naming both."""
    family = getattr(source.connector, "family", None)
    async with sessions() as session:
        agency = await session.get(Agency, source.agency_id)
    if agency is None:
        raise NotFound(f"no agency with id {source.agency_id}", field="agency")
    if family is None or agency.family.value == family:
        return None
    what = (
        f"the {source.connector.name} connector reads {family} systems, and "
        f"{agency.name} ({agency.uscc}) is registered as {agency.family.value}"
    )
    if not allowed:
        raise InvalidInput(
            f"{what}: run it for an agency of that family, or override with "
            "--allow-family-mismatch (recorded on the run)",
            field="agency",
        )
    return f"{what}; run by operator override"


def _log_for_operator(source: Source, error: ConnectorError) -> None:
    # operator_detail is what the connector kept for the operator (an OS error, an HTTP
    # status); connectors never put a row's content there.
    log.warning(
        "connector %s (%s): %s: %s%s",
        source.connector.name,
        source.label,
        type(error).__name__,
        error.message,
        f" [{error.operator_detail}]" if error.operator_detail else "",
    )


async def _start_run(
    sessions: async_sessionmaker[AsyncSession], source: Source, stream: Stream
) -> RunSummary:
    async with sessions.begin() as session:
        # A run still RUNNING for this stream was cut off (the process died): say so.
        await session.execute(
            update(IngestRun)
            .where(
                IngestRun.agency_id == source.agency_id,
                IngestRun.connector == source.connector.name,
                IngestRun.stream == stream.name,
                IngestRun.status == "RUNNING",
            )
            .values(
                status="FAILED",
                error="interrupted: the process ended mid-run",
                finished_at=utcnow(),
            )
        )
        run = IngestRun(
            connector=source.connector.name,
            stream=stream.name,
            agency_id=source.agency_id,
            source=source.label,
            status="RUNNING",
            notes={},
        )
        session.add(run)
        await session.flush()
        return RunSummary(run_id=run.id, stream=stream.name)


async def _cursor(
    sessions: async_sessionmaker[AsyncSession], source: Source, stream: Stream
) -> Mapping[str, Any]:
    async with sessions() as session:
        state = await session.scalar(
            select(IngestCursor.state).where(
                IngestCursor.agency_id == source.agency_id,
                IngestCursor.connector == source.connector.name,
                IngestCursor.stream == stream.name,
            )
        )
    return state or {}


async def _save_cursor(
    session: AsyncSession, source: Source, stream: Stream, state: Mapping[str, Any]
) -> None:
    await session.merge(
        IngestCursor(
            agency_id=source.agency_id,
            connector=source.connector.name,
            stream=stream.name,
            state=dict(state),
            updated_at=utcnow(),
        )
    )


async def _record_progress(session: AsyncSession, summary: RunSummary) -> None:
    await session.execute(
        update(IngestRun)
        .where(IngestRun.id == summary.run_id)
        .values(
            rows_read=summary.rows_read,
            inserted=summary.inserted,
            updated=summary.updated,
            unchanged=summary.unchanged,
            quarantined=summary.quarantined,
            notes=dict(summary.notes),
        )
    )


async def _finish(sessions: async_sessionmaker[AsyncSession], summary: RunSummary) -> None:
    async with sessions.begin() as session:
        await _record_progress(session, summary)
        await session.execute(
            update(IngestRun)
            .where(IngestRun.id == summary.run_id)
            .values(status=summary.status, error=summary.error, finished_at=utcnow())
        )
