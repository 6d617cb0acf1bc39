"""Records taken from another hub's change feed (the hub connector): each is kept under its
own source agency — registered here the first time the feed names it — and under a stream
naming the hub it came from, so two cities' identical 文号 never meet. A record the other hub
withdrew (revoked by its source, or repaired there) is withdrawn here as well."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency, AgencyFamily, AgencyLevel
from hub.lifecycle.service import after_source_changes, note_event
from hub.records.enums import RecordStatus
from hub.records.models import CreditRecord
from hub.subjects.identifiers import parse_region_code, parse_uscc
from hub.subjects.service import chunks

# The content hash of a record withdrawn at its origin: whatever the origin later sends
# again differs from it, so a record restored there is restored here.
WITHDRAWN_HASH = hashlib.sha256(b"withdrawn at its origin hub").hexdigest()


async def origin_agencies(
    session: AsyncSession, origins: Iterable[Mapping[str, str]]
) -> dict[str, int]:
    """Agency ids by USCC for the origins' source agencies, registering those not known."""
    wanted = {o["agencyUscc"]: o for o in origins}
    if not wanted:
        return {}
    rows = await session.execute(select(Agency.uscc, Agency.id).where(Agency.uscc.in_(wanted)))
    known = {uscc: agency_id for uscc, agency_id in rows}
    for uscc, origin in wanted.items():
        if uscc not in known:
            agency = _agency(uscc, origin)
            session.add(agency)
            await session.flush()
            known[uscc] = agency.id
    return known


def _agency(uscc: str, origin: Mapping[str, str]) -> Agency:
    code = parse_uscc(uscc, field="data.origin.agencyUscc")
    region = parse_region_code(
        origin.get("agencyRegion") or code.region_code, field="data.origin.agencyRegion"
    )
    return Agency(
        uscc=code.code,
        name=origin["agencyName"].strip() or code.code,
        region_code=region,
        level=_member(AgencyLevel, origin.get("agencyLevel"), AgencyLevel.CITY),
        family=_member(AgencyFamily, origin.get("agencyFamily"), AgencyFamily.OTHER),
    )


E = TypeVar("E", AgencyLevel, AgencyFamily)


def _member(enum: type[E], value: str | None, default: E) -> E:
    try:
        return enum(value)
    except ValueError:
        return default


@dataclass(frozen=True)
class Withdrawal:
    agency_id: int
    stream: str
    source_ref: str
    reason: str  # REVOKED or REPAIRED


async def withdraw(
    session: AsyncSession, withdrawals: list[Withdrawal], actor: str, today: date
) -> tuple[int, int]:
    """Returns (withdrawn, unchanged): a record never received, or withdrawn already, is
    unchanged. One query per chunk of keys, whatever the number of withdrawals."""
    model = CreditRecord
    natural_key = tuple_(model.source_agency_id, model.stream, model.source_ref)
    records: dict[tuple[int, str, str], CreditRecord] = {}
    for part in chunks(sorted({(w.agency_id, w.stream, w.source_ref) for w in withdrawals})):
        found = await session.scalars(select(CreditRecord).where(natural_key.in_(part)))
        records.update({(r.source_agency_id, r.stream, r.source_ref): r for r in found})
    changed: list[CreditRecord] = []
    unchanged = 0
    for item in withdrawals:
        record = records.get((item.agency_id, item.stream, item.source_ref))
        if record is None or not _apply(record, item.reason, today):
            unchanged += 1
            continue
        record.version += 1
        record.content_hash = WITHDRAWN_HASH
        kind = "REPAIR_APPROVED" if item.reason == "REPAIRED" else "STATUS_CHANGED"
        note_event(session, record, kind, actor, f"withdrawn at its origin hub ({item.reason})")
        changed.append(record)
    await after_source_changes(session, changed, actor)
    return len(changed), unchanged


def _apply(record: CreditRecord, reason: str, today: date) -> bool:
    if reason == "REPAIRED":
        if record.repaired_on is not None:
            return False
        record.repaired_on = today
        return True
    if record.status is RecordStatus.REVOKED:
        return False
    record.status = RecordStatus.REVOKED
    return True
