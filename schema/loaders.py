"""Per-request DataLoaders: entity and nested lookups are batched into one query each."""

from __future__ import annotations

from collections.abc import Sequence

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


class Loaders:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.person_by_uid = DataLoader(self._persons_by_uid)
        self.person_by_id = DataLoader(self._persons_by_id)
        self.organization_by_id = DataLoader(self._organizations_by_id)
        self.organization_by_uscc = DataLoader(self._organizations_by_uscc)
        self.agency_by_id = DataLoader(self._agencies_by_id)
        self.records_of_person = DataLoader(self._records_of_persons)
        self.records_of_organization = DataLoader(self._records_of_organizations)
        self.record_by_id = DataLoader(self._records_by_id)
        self.evidence_of_objection = DataLoader(self._evidence_of_objections)
        self.evidence_of_repair = DataLoader(self._evidence_of_repairs)
        self._person_reads: dict[Stated, DataLoader[str, Person | None]] = {}

    def person_read_by_uid(self, stated: Stated) -> DataLoader[str, Person | None]:
        """Persons by uid, batched, each read noted with the purpose stated."""
        if stated not in self._person_reads:

            async def load(uids: Sequence[str]) -> list[Person | None]:
                found = await subjects.read_persons_by_uid(self._session, uids, stated, "_entities")
                return [found.get(uid) for uid in uids]

            self._person_reads[stated] = DataLoader(load)
        return self._person_reads[stated]

    async def _persons_by_uid(self, uids: Sequence[str]) -> list[Person | None]:
        found = await subjects.persons_by_uid(self._session, uids)
        return [found.get(uid) for uid in uids]

    async def _persons_by_id(self, ids: Sequence[int]) -> list[Person | None]:
        found = await subjects.rows_by(self._session, Person.id, ids)
        return [found.get(i) for i in ids]

    async def _organizations_by_id(self, ids: Sequence[int]) -> list[Organization | None]:
        found = await subjects.rows_by(self._session, Organization.id, ids)
        return [found.get(i) for i in ids]

    async def _organizations_by_uscc(self, codes: Sequence[str]) -> list[Organization | None]:
        found = await subjects.organizations_by_uscc(self._session, codes)
        return [found.get(code) for code in codes]

    async def _agencies_by_id(self, ids: Sequence[int]) -> list[Agency | None]:
        found = await subjects.rows_by(self._session, Agency.id, ids)
        return [found.get(i) for i in ids]

    async def _records_by_id(self, ids: Sequence[int]) -> list[CreditRecord | None]:
        # A select, so the caller's access criteria apply (a revoked record of another
        # agency comes back as None).
        found = await subjects.rows_by(self._session, CreditRecord.id, ids)
        return [found.get(i) for i in ids]

    async def _evidence_of_objections(self, ids: Sequence[int]) -> list[list[Evidence]]:
        found = await evidence.files_of(self._session, objection_ids=ids)
        return [[e for e in found if e.objection_id == i] for i in ids]

    async def _evidence_of_repairs(self, ids: Sequence[int]) -> list[list[Evidence]]:
        found = await evidence.files_of(self._session, repair_ids=ids)
        return [[e for e in found if e.repair_id == i] for i in ids]

    async def _records_of_persons(self, ids: Sequence[int]) -> list[list[RecordFields]]:
        found = await records.records_of_subjects(self._session, SubjectType.PERSON, ids)
        return [found[i] for i in ids]

    async def _records_of_organizations(self, ids: Sequence[int]) -> list[list[RecordFields]]:
        found = await records.records_of_subjects(self._session, SubjectType.ORGANIZATION, ids)
        return [found[i] for i in ids]
