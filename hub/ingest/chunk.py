"""One chunk of rows, in the caller's transaction: normalise, resolve identities, upsert
through the same service as pushed records, and quarantine every row that cannot go in."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Row
from connectors.hub.mapping import origin_stream
from hub import clock
from hub.errors import InvalidInput
from hub.ingest.identity import (
    Unresolved,
    fits_mask,
    organization_code,
    resolve_organization_codes,
)
from hub.ingest.models import QuarantinedRow
from hub.ingest.normalize import Normalised, normalise
from hub.ingest.origins import Withdrawal, origin_agencies, withdraw
from hub.ingest.quarantine import content_of, fingerprint, sealed
from hub.ingest.roster import RosterEntry, apply_roster, roster_entry
from hub.records.drafts import Problem, validate_draft
from hub.records.service import submit_records
from hub.subjects.models import Person
from hub.subjects.pii import PiiCipher


@dataclass
class ChunkResult:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0


@dataclass(frozen=True)
class _Context:
    session: AsyncSession
    pii: PiiCipher
    run_id: int
    agency_id: int
    connector: str
    stream: str
    # Rows to quarantine, stored together at the end of the chunk (see _hold).
    held: list[QuarantinedRow] = field(default_factory=list)


@dataclass
class SortedRows:
    """A chunk's rows by what the engine does with each: `sort_rows`, pure, so the reader
    process (hub.ingest.reader) can do it for the next chunk while this one is stored."""

    # (row, field, reason): rows that cannot go in, quarantined as they are.
    refused: list[tuple[Row, str, str]] = field(default_factory=list)
    pending: list[tuple[Row, Normalised]] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)
    withdrawn: list[Row] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """How many rows the chunk had: each went to exactly one of the lists."""
        return len(self.refused) + len(self.pending) + len(self.roster) + len(self.withdrawn)


def sort_rows(rows: Sequence[Row]) -> SortedRows:
    sorted_rows = SortedRows()
    today = clock.today()
    for row in rows:
        if row.problem is not None:
            sorted_rows.refused.append((row, *row.problem))
        elif row.record is not None and row.record.get("withdrawn"):
            sorted_rows.withdrawn.append(row)
        elif row.record is not None and row.record.get("roster"):
            entry = roster_entry(row.record)
            if isinstance(entry, Problem):
                sorted_rows.refused.append((row, entry.field, entry.reason))
            else:
                sorted_rows.roster.append(entry)
        else:
            outcome = normalise(row.record or {})
            if isinstance(outcome, list):
                reason = "; ".join(f"{p.field}: {p.reason}" for p in outcome)
                sorted_rows.refused.append((row, outcome[0].field, reason))
            else:
                sorted_rows.pending.append((row, _validated(outcome, today)))
    return sorted_rows


def _validated(item: Normalised, today: date) -> Normalised:
    """The draft with validate_draft's outcome, done here (in the reader's process) unless
    identity resolution has yet to complete the draft."""
    if item.masked_id_number:
        return item  # validated once identity resolution has found the ID number
    return Normalised(item.draft, validated=validate_draft(item.draft, today=today))


async def apply_chunk(
    session: AsyncSession,
    pii: PiiCipher,
    agency_id: int,
    connector: str,
    stream: str,
    run_id: int,
    chunk: SortedRows,
) -> ChunkResult:
    context = _Context(session, pii, run_id, agency_id, connector, stream)
    result = ChunkResult(rows=chunk.rows)
    for row, field_name, reason in chunk.refused:
        _quarantine(context, row, field_name, reason, result)
    if chunk.roster:
        counts = await apply_roster(session, pii, chunk.roster)
        result.inserted += counts.created
        result.updated += counts.updated
        result.unchanged += counts.unchanged
    pending = await _resolve_identities(context, chunk.pending, result)
    await _upsert(context, pending, result)
    await _withdraw(context, chunk.withdrawn, result)
    await _hold(context)
    await session.flush()
    return result


async def _resolve_identities(
    context: _Context,
    pending: list[tuple[Row, Normalised]],
    result: ChunkResult,
) -> list[tuple[Row, Normalised]]:
    masked_names = {
        n.draft.subject.name for _, n in pending if n.masked_id_number and n.draft.subject.name
    }
    known = await _known_numbers_by_name(context.session, context.pii, masked_names)
    codes = {
        code
        for _, n in pending
        if not n.masked_id_number and n.draft.subject.uscc
        if (code := organization_code(n.draft.subject.uscc))
    }
    bodies = await resolve_organization_codes(context.session, codes)
    resolved: list[tuple[Row, Normalised]] = []
    for row, item in pending:
        subject = item.draft.subject
        outcome: str | Unresolved | None = None
        if item.masked_id_number:
            outcome = _one_fitting(item.masked_id_number, subject.name, known)
            if isinstance(outcome, str):
                subject = dataclasses.replace(subject, id_number=outcome)
        elif subject.uscc and (code := organization_code(subject.uscc)):
            outcome = bodies[code]
            if isinstance(outcome, str):
                subject = dataclasses.replace(subject, uscc=outcome)
        if isinstance(outcome, Unresolved):
            _quarantine(context, row, outcome.field, outcome.reason, result)
            continue
        if subject is not item.draft.subject:
            item = Normalised(dataclasses.replace(item.draft, subject=subject))
        resolved.append((row, item))
    return resolved


async def _known_numbers_by_name(
    session: AsyncSession, pii: PiiCipher, names: set[str]
) -> dict[str, list[str]]:
    """Clear ID numbers of the known persons bearing each name (one query per chunk)."""
    if not names:
        return {}
    hashes = {pii.lookup_hash(name, purpose="name"): name for name in names}
    rows = await session.execute(
        select(Person.name_hash, Person.id_cipher).where(Person.name_hash.in_(hashes))
    )
    numbers: dict[str, list[str]] = {name: [] for name in names}
    for name_hash, cipher in rows:
        numbers[hashes[name_hash]].append(pii.decrypt(cipher))
    return numbers


def _one_fitting(masked: str, name: str | None, known: Mapping[str, list[str]]) -> str | Unresolved:
    if not name:
        return Unresolved("subject_name", "a masked ID number needs the name to find the person")
    fitting = [n for n in known.get(name, []) if fits_mask(masked.upper(), n)]
    if len(fitting) == 1:
        return fitting[0]
    found = "no known person" if not fitting else f"{len(fitting)} known persons"
    return Unresolved(
        "subject_id_number", f"unresolved identity: {found} named {name[0]}* fit {masked}"
    )


async def _upsert(
    context: _Context,
    pending: list[tuple[Row, Normalised]],
    result: ChunkResult,
) -> None:
    """The run's agency and stream own the rows, unless a row names its origin (a record
    from another hub's feed): then its source agency and origin stream do."""
    owners = await _owners(context, [row for row, _ in pending], result)
    groups: dict[tuple[int, str], list[tuple[Row, Normalised]]] = {}
    for item in pending:
        owner = owners.get(id(item[0]))
        if owner is not None:
            groups.setdefault(owner, []).append(item)
    for (agency_id, stream), group in groups.items():
        submitted = await submit_records(
            context.session,
            context.pii,
            agency_id=agency_id,
            drafts=[item.draft for _, item in group],
            validated=[item.validated for _, item in group],
            actor=f"ingest:{context.connector}",
            stream=stream,
        )
        result.inserted += submitted.inserted
        result.updated += submitted.updated
        # A row a later one of the same file superseded changed nothing either.
        result.unchanged += submitted.unchanged + submitted.superseded
        for error in submitted.rejected:
            _quarantine(context, group[error.index][0], error.field, error.reason, result)


async def _owners(
    context: _Context, rows: Sequence[Row], result: ChunkResult
) -> dict[int, tuple[int, str]]:
    """(agency id, stream) for each row (by id), quarantining rows whose origin is unusable."""
    origins: dict[int, dict[str, str]] = {}
    for row in rows:
        origin = row.record.get("origin") if row.record else None
        if isinstance(origin, dict):
            origins[id(row)] = origin
    try:
        agencies = await origin_agencies(context.session, origins.values())
    except InvalidInput as exc:
        # One unreadable agency in the origins: judge the rows one by one.
        if len(rows) == 1:
            _quarantine(context, rows[0], exc.field or "data.origin", exc.message, result)
            return {}
        owners: dict[int, tuple[int, str]] = {}
        for row in rows:
            owners.update(await _owners(context, [row], result))
        return owners
    owners = {}
    for row in rows:
        origin = origins.get(id(row))
        if origin:
            owners[id(row)] = (agencies[origin["agencyUscc"]], origin_stream(origin))
        else:
            owners[id(row)] = (context.agency_id, context.stream)
    return owners


async def _withdraw(context: _Context, rows: Sequence[Row], result: ChunkResult) -> None:
    """Records another hub told us to stop using (origin rows only)."""
    owners = await _owners(context, rows, result)
    withdrawals = [
        Withdrawal(*owners[id(row)], str(values["source_ref"]), str(values["withdrawn"]))
        for row in rows
        if id(row) in owners and (values := dict(row.record or {}))
    ]
    if withdrawals:
        changed, unchanged = await withdraw(
            context.session, withdrawals, f"ingest:{context.connector}", clock.today()
        )
        result.updated += changed
        result.unchanged += unchanged


def _quarantine(context: _Context, row: Row, field: str, reason: str, result: ChunkResult) -> None:
    content = content_of(row.raw, row.record)
    context.held.append(
        QuarantinedRow(
            run_id=context.run_id,
            agency_id=context.agency_id,
            connector=context.connector,
            stream=context.stream,
            location=row.location,
            field=field,
            reason=reason,
            fingerprint=fingerprint(context.pii, row.location, content),
            **sealed(context.pii, content),
        )
    )
    result.quarantined += 1


async def _hold(context: _Context) -> None:
    """Stores the chunk's quarantined rows, except those already open in the quarantine:
    reading the same file again does not put the same bad rows there twice."""
    if not context.held:
        return
    q = QuarantinedRow
    wanted = {row.fingerprint for row in context.held}
    already = set(
        await context.session.scalars(
            select(q.fingerprint).where(
                q.agency_id == context.agency_id,
                q.connector == context.connector,
                q.stream == context.stream,
                q.resolved_at.is_(None),
                q.fingerprint.in_(wanted),
            )
        )
    )
    fresh = {row.fingerprint: row for row in context.held if row.fingerprint not in already}
    context.session.add_all(fresh.values())
