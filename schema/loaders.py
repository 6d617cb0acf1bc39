"""Per-request DataLoaders: entity and nested lookups are batched into one query each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property, partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from hub.agencies.models import Agency
from hub.audit.purposes import Stated
from hub.evidence import service as evidence
from hub.evidence.models import Evidence
from hub.records import service as records
from hub.records.enums import SubjectType
from hub.records.models import CreditRecord, RecordFields
from hub.subjects import service as subjects
from hub.subjects.models import Organization, Person

K = TypeVar("K")
V = TypeVar("V")


def _loader(
    batch: Callable[[AsyncSession, Sequence[K]], Awaitable[list[V]]], session: AsyncSession
) -> DataLoader[K, V]:
    # The batch function gets the session, never the Loaders: a loader holding a bound method
    # of the object that holds the loader is a reference cycle, which kept each request alive
    # until the cyclic collector ran (its collections paused the server 3–15 ms at a time).
    return DataLoader(partial(batch, session))


class Loaders:
    """Each loader is built on first use (a check uses none of most of them)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._person_reads: dict[Stated, DataLoader[str, Person | None]] = {}

    @cached_property
    def person_by_uid(self) -> DataLoader[str, Person | None]:
        return _loader(_persons_by_uid, self._session)

    @cached_property
    def person_by_id(self) -> DataLoader[int, Person | None]:
        return _loader(partial(_rows_by, Person.id), self._session)

    @cached_property
    def organization_by_id(self) -> DataLoader[int, Organization | None]:
        return _loader(partial(_rows_by, Organization.id), self._session)

    @cached_property
    def organization_by_uscc(self) -> DataLoader[str, Organization | None]:
        return _loader(_organizations_by_uscc, self._session)

    @cached_property
    def agency_by_id(self) -> DataLoader[int, Agency | None]:
        return _loader(partial(_rows_by, Agency.id), self._session)

    @cached_property
    def record_by_id(self) -> DataLoader[int, CreditRecord | None]:
        # A select, so the caller's access criteria apply (a revoked record of another
        # agency comes back as None).
        return _loader(partial(_rows_by, CreditRecord.id), self._session)

    @cached_property
    def records_of_person(self) -> DataLoader[int, list[RecordFields]]:
        return _loader(partial(_records_of, SubjectType.PERSON), self._session)

    @cached_property
    def records_of_organization(self) -> DataLoader[int, list[RecordFields]]:
        return _loader(partial(_records_of, SubjectType.ORGANIZATION), self._session)

    @cached_property
    def evidence_of_objection(self) -> DataLoader[int, list[Evidence]]:
        return _loader(_evidence_of_objections, self._session)

    @cached_property
    def evidence_of_repair(self) -> DataLoader[int, list[Evidence]]:
        return _loader(_evidence_of_repairs, self._session)

    def person_read_by_uid(self, stated: Stated) -> DataLoader[str, Person | None]:
        """Persons by uid, batched, each read noted with the purpose stated."""
        if stated not in self._person_reads:
            self._person_reads[stated] = _loader(partial(_read_persons, stated), self._session)
        return self._person_reads[stated]


# The batch functions: the session first (bound by _loader), the keys last.


async def _persons_by_uid(session: AsyncSession, uids: Sequence[str]) -> list[Person | None]:
    found = await subjects.persons_by_uid(session, uids)
    return [found.get(uid) for uid in uids]


async def _read_persons(
    stated: Stated, session: AsyncSession, uids: Sequence[str]
) -> list[Person | None]:
    found = await subjects.read_persons_by_uid(session, uids, stated, "_entities")
    return [found.get(uid) for uid in uids]


async def _rows_by(column: Any, session: AsyncSession, ids: Sequence[Any]) -> list[Any]:
    found = await subjects.rows_by(session, column, ids)
    return [found.get(i) for i in ids]


async def _organizations_by_uscc(
    session: AsyncSession, codes: Sequence[str]
) -> list[Organization | None]:
    found = await subjects.organizations_by_uscc(session, codes)
    return [found.get(code) for code in codes]


async def _records_of(
    subject_type: SubjectType, session: AsyncSession, ids: Sequence[int]
) -> list[list[RecordFields]]:
    found = await records.records_of_subjects(session, subject_type, ids)
    return [found[i] for i in ids]


async def _evidence_of_objections(
    session: AsyncSession, ids: Sequence[int]
) -> list[list[Evidence]]:
    found = await evidence.files_of(session, objection_ids=ids)
    return [[e for e in found if e.objection_id == i] for i in ids]


async def _evidence_of_repairs(session: AsyncSession, ids: Sequence[int]) -> list[list[Evidence]]:
    found = await evidence.files_of(session, repair_ids=ids)
    return [[e for e in found if e.repair_id == i] for i in ids]
