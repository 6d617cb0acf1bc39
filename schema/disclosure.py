"""Disclosure: what a 信用网站 may publish (publicRecords) and a subject's 诚信档案 (archive)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from hub.auth.scopes import AUDIT_READ, PUBLIC_READ
from hub.lifecycle import archive, publicity
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity
from hub.records.models import RecordEvent as EventRow
from schema.audit_trail import AuditTrailConnection, trail_connection
from schema.lifecycle import Objection, RepairApplication
from schema.permissions import scoped_field
from schema.records import PageInfo, page_info
from schema.types import CreditRecord


@strawberry.type(description="A published 政务失信 record of a government body (公示).")
class PublicRecord:
    item: strawberry.Private[publicity.Published]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.item.record.id))

    @strawberry.field(description="统一社会信用代码 of the body.")
    async def uscc(self, info: strawberry.Info) -> str:
        row = await info.context.loaders.organization_by_id.load(self.item.record.organization_id)
        return row.uscc if row else ""

    @strawberry.field
    async def name(self, info: strawberry.Info) -> str:
        row = await info.context.loaders.organization_by_id.load(self.item.record.organization_id)
        return row.name if row else ""

    @strawberry.field
    async def source_agency_name(self, info: strawberry.Info) -> str:
        row = await info.context.loaders.agency_by_id.load(self.item.record.source_agency_id)
        return row.name if row else ""

    @strawberry.field
    def category(self) -> RecordCategory:
        return self.item.record.category

    @strawberry.field
    def category_label(self) -> str:
        return self.item.record.category.label

    @strawberry.field
    def sanction_kind(self) -> SanctionKind | None:
        return self.item.record.sanction_kind

    @strawberry.field
    def severity(self) -> Severity:
        return self.item.record.severity

    @strawberry.field
    def decided_at(self) -> date:
        return self.item.record.decided_at

    @strawberry.field(description="Last day it is published; null: until its source ends it.")
    def public_until(self) -> date | None:
        return self.item.last_day

    @strawberry.field
    def legal_basis(self) -> str | None:
        return self.item.record.legal_basis

    @strawberry.field
    def summary(self) -> str:
        return self.item.record.summary

    @strawberry.field(description="An objection to it is open (异议处理中).")
    def under_objection(self) -> bool:
        return self.item.record.objection_kind is not None


@strawberry.type
class PublicRecordEdge:
    cursor: str
    node: PublicRecord


@strawberry.type
class PublicRecordConnection:
    edges: list[PublicRecordEdge]
    page_info: PageInfo


@strawberry.type
class DisclosureQueries:
    @scoped_field(
        PUBLIC_READ,
        description="What a 信用网站 may publish: government bodies' 失信信息 within their "
        "publicity window, oldest first. Never persons; never repaired, withdrawn or expired "
        "records.",
    )
    async def public_records(
        self,
        info: strawberry.Info,
        category: RecordCategory | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> PublicRecordConnection:
        runtime = info.context.runtime
        page = await publicity.public_records(
            info.context.session,
            runtime.ruleset,
            runtime.today(),
            category=category,
            first=first,
            after=after,
        )
        edges = [
            PublicRecordEdge(cursor=page.cursor(i), node=PublicRecord(item=i)) for i in page.items
        ]
        return PublicRecordConnection(
            edges=edges,
            page_info=page_info(page.has_next_page, edges),
        )


@strawberry.type(description="One step in a record's life: its source's or the hub's.")
class RecordHistoryEvent:
    row: strawberry.Private[EventRow]

    @strawberry.field(
        description="CREATED, UPDATED, STATUS_CHANGED, SUBJECT_CORRECTED, OBJECTION_*, "
        "REPAIR_*, PUBLICITY_ENDED."
    )
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field
    def version(self) -> int:
        return self.row.version

    @strawberry.field(description="The source's status at that step.")
    def status(self) -> RecordStatus:
        return self.row.status

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field(description="The client (or the hub) that took the step.")
    def by(self) -> str | None:
        return self.row.actor

    @strawberry.field
    def reason(self) -> str | None:
        return self.row.reason


@strawberry.type(description="A record in a 诚信档案, with everything that happened to it.")
class ArchivedRecord:
    file: strawberry.Private[archive.RecordFile]

    @strawberry.field
    def record(self) -> CreditRecord:
        return CreditRecord(row=self.file.record)

    @strawberry.field
    def history(self) -> list[RecordHistoryEvent]:
        return [RecordHistoryEvent(row=e) for e in self.file.events]

    @strawberry.field
    def objections(self) -> list[Objection]:
        return [Objection(row=o) for o in self.file.objections]

    @strawberry.field
    def repairs(self) -> list[RepairApplication]:
        return [RepairApplication(row=r) for r in self.file.repairs]


@strawberry.type(
    description="诚信档案: what the hub holds about a subject and what it did with it."
)
class Archive:
    files: strawberry.Private[list[archive.RecordFile]]
    subject_key: strawberry.Private[str]
    is_person: strawberry.Private[bool]

    @strawberry.field
    def records(self) -> list[ArchivedRecord]:
        return [ArchivedRecord(file=f) for f in self.files]

    @scoped_field(
        AUDIT_READ,
        description="The checks and reads made about the subject (who, when, purpose), newest "
        "first (PIPL Art. 45).",
    )
    async def accesses(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> AuditTrailConnection:
        return await trail_connection(info, self.subject_key, self.is_person, first, after)


async def archive_of(info: strawberry.Info, records: list[Any], key: str, person: bool) -> Archive:
    files = await archive.files_of(info.context.session, records)
    return Archive(files=files, subject_key=key, is_person=person)
