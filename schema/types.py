"""Object types and federation entities. Thin: fields read the ORM row or ask a loader."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from hub.agencies.models import Agency as AgencyRow
from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.auth.scopes import RECORDS_READ, RECORDS_READ_PII
from hub.lifecycle.status import shown_status
from hub.records.enums import (
    ObjectionKind,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)
from hub.records.models import RecordFields as RecordRow
from hub.subjects.models import Organization as OrganizationRow
from hub.subjects.models import Person as PersonRow
from schema.access import stated_purpose
from schema.permissions import ENTITY_SCOPES, entity_scopes, require_any, scoped_field

if TYPE_CHECKING:
    from schema.disclosure import Archive


@strawberry.type(description="A participating agency (data provider and/or consumer).")
class Agency:
    row: strawberry.Private[AgencyRow]

    @strawberry.field
    def uscc(self) -> str:
        return self.row.uscc

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def region_code(self) -> str:
        return self.row.region_code

    @strawberry.field
    def level(self) -> AgencyLevel:
        return self.row.level

    @strawberry.field
    def family(self) -> AgencyFamily:
        return self.row.family


# Both entity types declare the scopes their `_entities` resolution enforces: a gateway
# enforcing @requiresScopes refuses what the hub would refuse, on every path to them.
@strawberry.federation.type(
    keys=["uscc"],
    requires_scopes=entity_scopes(),
    description="A government body or other organization.",
)
class Organization:
    uscc: str
    row: strawberry.Private[OrganizationRow | None] = None

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, uscc: str) -> Organization:
        require_any(info.context.actor, ENTITY_SCOPES, "_entities")
        row = await info.context.loaders.organization_by_uscc.load(uscc)
        # A body the hub does not hold is still answered (`known: false`, no records): a null
        # entity makes a gateway fail on the non-null fields it asked for.
        return cls(uscc=uscc, row=row)

    @strawberry.field(
        description="Whether the hub holds this body; false: nothing is known of it here."
    )
    def known(self) -> bool:
        return self.row is not None

    @strawberry.field
    def name(self) -> str | None:
        return self.row.name if self.row else None

    @strawberry.field
    def region_code(self) -> str | None:
        return self.row.region_code if self.row else None

    @scoped_field(RECORDS_READ)
    async def records(self, info: strawberry.Info) -> list[CreditRecord]:
        if self.row is None:
            return []
        rows = await info.context.loaders.records_of_organization.load(self.row.id)
        return [CreditRecord(row=r) for r in rows]

    @scoped_field(
        RECORDS_READ,
        description="诚信档案: every record the caller may see with its history, objections "
        "and repairs.",
    )
    async def archive(
        self, info: strawberry.Info
    ) -> Annotated[Archive, strawberry.lazy("schema.disclosure")] | None:
        from schema.disclosure import archive_of

        if self.row is None:
            return None
        rows = await info.context.loaders.records_of_organization.load(self.row.id)
        return await archive_of(info, rows, self.row.uscc, person=False)


@strawberry.federation.type(
    keys=["id"],
    requires_scopes=entity_scopes(),
    description="A natural person. ID number and name are masked unless the caller holds "
    "records:read:pii.",
)
class Person:
    id: strawberry.ID
    row: strawberry.Private[PersonRow | None] = None

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Person:
        require_any(info.context.actor, ENTITY_SCOPES, "_entities")
        # _entities takes no arguments: the header says why; the read is noted by the service.
        row = await info.context.loaders.person_read_by_uid(stated_purpose(info)).load(str(id))
        # A person the hub does not hold (or may not show this caller) is still answered,
        # `known: false` with no records, as a gateway needs for the non-null fields it asked.
        return cls(id=id, row=row)

    @strawberry.field(
        description="Whether the hub holds this person for this caller; false: nothing known."
    )
    def known(self) -> bool:
        return self.row is not None

    @strawberry.field(description="居民身份证号码, masked (110101********123X) without PII scope.")
    def id_number(self, info: strawberry.Info) -> str | None:
        if self.row is None:
            return None
        if info.context.actor.has(RECORDS_READ_PII):
            return info.context.runtime.pii.decrypt(self.row.id_cipher)
        return self.row.id_masked

    @strawberry.field(description="Name, masked (张*) without PII scope.")
    def name(self, info: strawberry.Info) -> str | None:
        if self.row is None:
            return None
        if info.context.actor.has(RECORDS_READ_PII):
            return info.context.runtime.pii.decrypt(self.row.name_cipher)
        return self.row.name_masked

    @strawberry.field
    def region_code(self) -> str | None:
        return self.row.region_code if self.row else None

    @scoped_field(RECORDS_READ)
    async def records(self, info: strawberry.Info) -> list[CreditRecord]:
        if self.row is None:
            return []
        rows = await info.context.loaders.records_of_person.load(self.row.id)
        return [CreditRecord(row=r) for r in rows]

    @scoped_field(
        RECORDS_READ,
        description="诚信档案: every record the caller may see with its history, objections "
        "and repairs (PIPL Art. 45).",
    )
    async def archive(
        self, info: strawberry.Info
    ) -> Annotated[Archive, strawberry.lazy("schema.disclosure")] | None:
        from schema.disclosure import archive_of

        if self.row is None:
            return None
        rows = await info.context.loaders.records_of_person.load(self.row.id)
        return await archive_of(info, rows, self.row.id_hash, person=True)


Subject = Annotated[Person | Organization, strawberry.union("Subject")]


def person_of(row: PersonRow) -> Person:
    return Person(id=strawberry.ID(row.uid), row=row)


def organization_of(row: OrganizationRow) -> Organization:
    return Organization(uscc=row.uscc, row=row)


@strawberry.type(description="政务失信记录 or a related credit record, as its source decided it.")
class CreditRecord:
    row: strawberry.Private[RecordRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="文号 or 案号 at the source agency.")
    def source_ref(self) -> str:
        return self.row.source_ref

    @strawberry.field
    async def source_agency(self, info: strawberry.Info) -> Agency:
        row = await info.context.loaders.agency_by_id.load(self.row.source_agency_id)
        return Agency(row=row)

    @strawberry.field
    def subject_type(self) -> SubjectType:
        return self.row.subject_type

    @strawberry.field
    async def subject(self, info: strawberry.Info) -> Subject | None:
        loaders = info.context.loaders
        if self.row.person_id is not None:
            person = await loaders.person_by_id.load(self.row.person_id)
            return person_of(person) if person else None
        organization = await loaders.organization_by_id.load(self.row.organization_id)
        return organization_of(organization) if organization else None

    @strawberry.field
    def category(self) -> RecordCategory:
        return self.row.category

    @strawberry.field(description="The category's Chinese name, e.g. 政务处分.")
    def category_label(self) -> str:
        return self.row.category.label

    @strawberry.field
    def sanction_kind(self) -> SanctionKind | None:
        return self.row.sanction_kind

    @strawberry.field(description="The sanction's Chinese name, e.g. 记过.")
    def sanction_label(self) -> str | None:
        return self.row.sanction_kind.label if self.row.sanction_kind else None

    @strawberry.field
    def severity(self) -> Severity:
        return self.row.severity

    @strawberry.field(
        description="What the record stands at: the source's CORRECTED or REVOKED, else the "
        "hub's workflows (UNDER_OBJECTION, REPAIRED, EXPIRED) or ACTIVE."
    )
    def status(self, info: strawberry.Info) -> RecordStatus:
        row = self.row
        return shown_status(
            row.status,
            objection=row.objection_kind,
            repaired_on=row.repaired_on,
            publicity_ended_on=row.publicity_ended_on,
            effective_until=row.effective_until,
            today=info.context.runtime.today(),
        )

    @strawberry.field(description="The source's own status: ACTIVE, CORRECTED or REVOKED.")
    def source_status(self) -> RecordStatus:
        return self.row.status

    @strawberry.field(description="What an open objection (异议) disputes; null when none.")
    def objection(self) -> ObjectionKind | None:
        return self.row.objection_kind

    @strawberry.field(description="The running deadline of the open objections.")
    def objection_due(self) -> date | None:
        return self.row.objection_due

    @strawberry.field(description="Day a 信用修复 was approved (its publicity ended then).")
    def repaired_on(self) -> date | None:
        return self.row.repaired_on

    @strawberry.field(description="First day the record was no longer published (公示期满).")
    def publicity_ended_on(self) -> date | None:
        return self.row.publicity_ended_on

    @strawberry.field(description="Decision date (党纪处分: approval date).")
    def decided_at(self) -> date:
        return self.row.decided_at

    @strawberry.field(description="End of effect set by the source (e.g. listing deleted).")
    def effective_until(self) -> date | None:
        return self.row.effective_until

    @strawberry.field
    def legal_basis(self) -> str | None:
        return self.row.legal_basis

    @strawberry.field
    def summary(self) -> str:
        return self.row.summary

    @strawberry.field
    def detail(self) -> JSON | None:
        detail: Any = self.row.detail
        return detail

    @strawberry.field
    def version(self) -> int:
        return self.row.version
