"""Writes the demo data set through the hub's own services, so the demo exercises the same
paths as real sources. Idempotent: agencies and persons already present are left alone, and
`submit_records` answers an identical resubmission with "unchanged". Never commits: the
caller owns the transaction (and creates the OAuth client)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency
from hub.demo.dataset import DemoAgency, DemoDataset, DemoPerson
from hub.records.drafts import RecordDraft
from hub.records.service import MAX_BATCH, RowError, submit_records
from hub.subjects.identifiers import parse_id_number
from hub.subjects.pii import PiiCipher
from hub.subjects.service import NewPerson, chunks, persons_by_hash, register_persons

ACTOR = "demo"


class DemoDataError(RuntimeError):
    """The generator produced a record the hub rejects: a bug in hub/demo, not in the data."""


@dataclass(frozen=True)
class DemoSummary:
    agencies_created: int
    persons_created: int
    records_inserted: int
    records_updated: int
    records_unchanged: int
    records_rejected: int


async def load_demo(
    session: AsyncSession, pii: PiiCipher, dataset: DemoDataset, *, today: date
) -> DemoSummary:
    agency_ids, agencies_created = await _ensure_agencies(session, dataset.agencies)
    persons_created = await _ensure_persons(
        session, pii, dataset.persons + dataset.applicants, agency_ids
    )
    inserted = updated = unchanged = 0
    for source, drafts in _by_source(dataset.records).items():
        for batch in chunks(drafts, MAX_BATCH):
            result = await submit_records(
                session, pii, agency_id=agency_ids[source], drafts=batch, actor=ACTOR, today=today
            )
            if result.rejected:
                raise DemoDataError(_rejection(source, batch, result.rejected[0]))
            inserted += result.inserted
            updated += result.updated
            unchanged += result.unchanged
    return DemoSummary(
        agencies_created=agencies_created,
        persons_created=persons_created,
        records_inserted=inserted,
        records_updated=updated,
        records_unchanged=unchanged,
        records_rejected=0,
    )


async def _ensure_agencies(
    session: AsyncSession, agencies: Sequence[DemoAgency]
) -> tuple[dict[str, int], int]:
    """USCC → agency id for every demo agency, and how many had to be created."""
    known: dict[str, int] = {}
    for part in chunks([a.uscc for a in agencies]):
        rows = await session.execute(select(Agency.uscc, Agency.id).where(Agency.uscc.in_(part)))
        known.update({uscc: agency_id for uscc, agency_id in rows})
    missing = [
        Agency(uscc=a.uscc, name=a.name, region_code=a.region_code, level=a.level, family=a.family)
        for a in agencies
        if a.uscc not in known
    ]
    if missing:
        session.add_all(missing)
        await session.flush()
        known.update({row.uscc: row.id for row in missing})
    return known, len(missing)


async def _ensure_persons(
    session: AsyncSession,
    pii: PiiCipher,
    persons: Sequence[DemoPerson],
    agency_ids: dict[str, int],
) -> int:
    """Registers the persons not yet known; returns how many. A known person keeps the
    employer the hub already has: the demo does not overwrite real data."""
    people = [
        NewPerson(
            parse_id_number(p.id_number),
            p.name,
            agency_ids[p.employer_uscc] if p.employer_uscc else None,
        )
        for p in persons
    ]
    known = await persons_by_hash(session, (pii.lookup_hash(p.id_number.number) for p in people))
    missing = [p for p in people if pii.lookup_hash(p.id_number.number) not in known]
    await register_persons(session, pii, missing)
    return len(missing)


def _by_source(
    records: Sequence[tuple[str, RecordDraft]],
) -> dict[str, list[RecordDraft]]:
    grouped: dict[str, list[RecordDraft]] = {}
    for source, draft in records:
        grouped.setdefault(source, []).append(draft)
    return grouped


def _rejection(source: str, batch: Sequence[RecordDraft], error: RowError) -> str:
    draft = batch[error.index]
    return (
        f"demo record rejected (source {source}, row {error.index}, "
        f"sourceRef {draft.source_ref}): {error.field}: {error.reason}"
    )
