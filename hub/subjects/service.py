"""Finding and registering subjects. Lookups go by keyed hash (persons) or USCC, in bulk."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.audit.purposes import Stated
from hub.audit.service import note_person_reads
from hub.db.base import utcnow
from hub.db.bulk import insert_returning_ids
from hub.subjects.identifiers import IdNumber, Uscc, mask_name
from hub.subjects.models import Organization, Person
from hub.subjects.pii import PiiCipher

T = TypeVar("T")
# Bound for IN (...) lists: PostgreSQL and SQLite both cope, and plans stay simple.
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class NewPerson:
    id_number: IdNumber
    name: str
    employer_agency_id: int | None = None


class PersonKey(NamedTuple):
    """What storing records needs of a person: its ids and keyed hashes, no ciphertext."""

    id: int
    uid: str
    id_hash: str
    name_hash: str


def new_person(pii: PiiCipher, person: NewPerson, now: datetime) -> dict[str, Any]:
    """The `persons` row of a person the hub has not seen, without its id."""
    return {
        "uid": str(uuid.uuid4()),
        "id_hash": pii.lookup_hash(person.id_number.number),
        "id_cipher": pii.encrypt(person.id_number.number),
        "id_masked": person.id_number.masked,
        "name_hash": pii.lookup_hash(person.name, purpose="name"),
        "name_cipher": pii.encrypt(person.name),
        "name_masked": mask_name(person.name),
        "region_code": person.id_number.region_code,
        "employer_agency_id": person.employer_agency_id,
        "created_at": now,
    }


async def rows_by(
    session: AsyncSession,
    column: InstrumentedAttribute[Any],
    values: Iterable[Any],
    *,
    columns: Sequence[InstrumentedAttribute[Any]] = (),
) -> dict[Any, Any]:
    """Rows of `column`'s table whose `column` is in `values`, keyed by that value; one query
    per chunk of the (deduplicated) values. Entities, or plain rows of `columns` (which must
    include `column`)."""
    query = select(*columns) if columns else select(column.class_)
    found: dict[Any, Any] = {}
    for part in chunks(sorted(set(values))):
        rows = await session.execute(query.where(column.in_(part)))
        found.update(
            {getattr(row, column.key): row for row in (rows if columns else rows.scalars())}
        )
    return found


async def persons_by_hash(session: AsyncSession, hashes: Iterable[str]) -> dict[str, Person]:
    return await rows_by(session, Person.id_hash, hashes)


_PERSON_KEYS = (Person.id, Person.uid, Person.id_hash, Person.name_hash)


async def person_keys_by_hash(session: AsyncSession, hashes: Iterable[str]) -> dict[str, PersonKey]:
    """As `persons_by_hash`, for the bulk paths (storing records): keys, not entities."""
    rows = await rows_by(session, Person.id_hash, hashes, columns=_PERSON_KEYS)
    return {key: PersonKey(*row) for key, row in rows.items()}


async def persons_by_uid(session: AsyncSession, uids: Iterable[str]) -> dict[str, Person]:
    return await rows_by(session, Person.uid, uids)


async def organizations_by_uscc(
    session: AsyncSession, codes: Iterable[str]
) -> dict[str, Organization]:
    return await rows_by(session, Organization.uscc, codes)


async def ensure_persons(
    session: AsyncSession, pii: PiiCipher, people: Sequence[NewPerson]
) -> dict[str, PersonKey]:
    """Persons keyed by ID-number hash; the unknown ones are registered."""
    by_hash = {pii.lookup_hash(p.id_number.number): p for p in people}
    known = await person_keys_by_hash(session, by_hash)
    known.update(
        await register_persons(session, pii, [p for h, p in by_hash.items() if h not in known])
    )
    return known


async def register_persons(
    session: AsyncSession, pii: PiiCipher, people: Sequence[NewPerson]
) -> dict[str, PersonKey]:
    """Registers persons the caller has already found unknown, keyed by ID-number hash.
    Written as rows (a file brings thousands of persons; entities cost several times as
    much to build and flush), so the session holds no entity for them."""
    now = utcnow()
    by_number = {p.id_number.number: p for p in people}
    rows = [new_person(pii, person, now) for person in by_number.values()]
    ids = await insert_returning_ids(session, Person.metadata.tables["persons"], rows)
    return {
        row["id_hash"]: PersonKey(id_, row["uid"], row["id_hash"], row["name_hash"])
        for row, id_ in zip(rows, ids, strict=True)
    }


async def register_organizations(
    session: AsyncSession, orgs: Sequence[tuple[Uscc, str]]
) -> dict[str, Organization]:
    """Registers bodies the caller has already found unknown, keyed by USCC."""
    wanted = {uscc.code: (uscc, name) for uscc, name in orgs}
    created = [
        Organization(uscc=code, name=name, region_code=uscc.region_code)
        for code, (uscc, name) in wanted.items()
    ]
    if created:
        session.add_all(created)
        await session.flush()
    return {o.uscc: o for o in created}


async def read_person(
    session: AsyncSession, pii: PiiCipher, subject: IdNumber, stated: Stated
) -> Person | None:
    """A person by ID number: a read of personal data, noted for the audit trail whether
    the hub knows the person or not."""
    key = pii.lookup_hash(subject.number)
    person = (await persons_by_hash(session, [key])).get(key)
    note_person_reads(session, stated, "person", [(key, "found" if person else "not found")])
    return person


async def read_persons_by_uid(
    session: AsyncSession, uids: Sequence[str], stated: Stated, operation: str
) -> dict[str, Person]:
    """Persons by their opaque id (federation `_entities`), each read noted."""
    found = await persons_by_uid(session, uids)
    note_person_reads(session, stated, operation, [(p.id_hash, "found") for p in found.values()])
    return found
