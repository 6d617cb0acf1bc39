"""Roster rows from HR (person → employer, post, status) register persons and keep their
employer current. They are not credit records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency
from hub.errors import InvalidIdentifier
from hub.records.drafts import Problem
from hub.subjects.identifiers import IdNumber, parse_id_number
from hub.subjects.pii import PiiCipher
from hub.subjects.service import NewPerson, persons_by_hash, register_persons


@dataclass
class RosterCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class RosterEntry:
    id_number: IdNumber
    name: str
    agency_uscc: str | None


def roster_entry(record: Mapping[str, Any]) -> RosterEntry | Problem:
    name = str(record.get("subject_name") or "").strip()
    if not name:
        return Problem("subject_name", "missing")
    try:
        number = parse_id_number(
            str(record.get("subject_id_number") or ""), field="subject_id_number"
        )
    except InvalidIdentifier as exc:
        return Problem(exc.field or "subject_id_number", exc.message)
    uscc = str(record.get("agency_uscc") or "").strip().upper() or None
    return RosterEntry(number, name, uscc)


async def apply_roster(
    session: AsyncSession, pii: PiiCipher, entries: Sequence[RosterEntry]
) -> RosterCounts:
    counts = RosterCounts()
    codes = {e.agency_uscc for e in entries if e.agency_uscc}
    agencies = dict(
        (await session.execute(select(Agency.uscc, Agency.id).where(Agency.uscc.in_(codes)))).all()
    )
    people = [NewPerson(e.id_number, e.name, agencies.get(e.agency_uscc or "")) for e in entries]
    known = await persons_by_hash(session, (pii.lookup_hash(p.id_number.number) for p in people))
    fresh = [p for p in people if pii.lookup_hash(p.id_number.number) not in known]
    await register_persons(session, pii, fresh)
    counts.created = len({p.id_number.number for p in fresh})
    for person in people:
        row = known.get(pii.lookup_hash(person.id_number.number))
        if row is None:
            continue
        if row.employer_agency_id != person.employer_agency_id and person.employer_agency_id:
            row.employer_agency_id = person.employer_agency_id
            counts.updated += 1
        else:
            counts.unchanged += 1
    return counts
