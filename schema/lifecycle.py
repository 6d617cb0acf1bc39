"""Objections (异议) and 信用修复 through the API: types, inputs, queries and mutations.
Thin: the services decide; this layer parses ids and evidence and shapes the answers."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from enum import Enum

import strawberry

from hub.auth.scopes import (
    ADMIN,
    OBJECTIONS_FILE,
    OBJECTIONS_MANAGE,
    REPAIR_APPLY,
    REPAIR_DECIDE,
)
from hub.errors import InvalidInput
from hub.evidence.models import Evidence as EvidenceRow
from hub.evidence.service import MAX_BYTES, EvidenceFile
from hub.objections import service as objections
from hub.objections.models import Objection as ObjectionRow
from hub.objections.rules import OpenObjection, due, overdue
from hub.records.enums import ObjectionKind, ObjectionState, RepairState
from hub.repairs import service as repairs
from hub.repairs.models import RepairApplication as RepairRow
from schema.permissions import scoped_field, scoped_mutation
from schema.records import PageInfo, connection_of
from schema.types import Agency, CreditRecord


def parse_id(value: strawberry.ID | str, field: str) -> int:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InvalidInput("an id is a whole number, as the API gave it", field=field)
    return int(text)


@strawberry.type(description="A file attached to an objection or a repair application.")
class EvidenceFileInfo:
    row: strawberry.Private[EvidenceRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def filename(self) -> str:
        return self.row.filename

    @strawberry.field
    def content_type(self) -> str:
        return self.row.content_type

    @strawberry.field
    def size(self) -> int:
        return self.row.size

    @strawberry.field(description="SHA-256 of the content, hex.")
    def sha256(self) -> str:
        return self.row.sha256

    @strawberry.field(description="Where its parties download it (bearer token required).")
    def url(self) -> str:
        return f"/evidence/{self.row.id}"


@strawberry.input(description="A PDF, JPEG or PNG, at most 1,000,000 bytes, base64-encoded.")
class EvidenceInput:
    filename: str
    content_type: str = strawberry.field(description="application/pdf, image/jpeg or image/png")
    content_base64: str


def evidence_files(items: list[EvidenceInput] | None) -> list[EvidenceFile]:
    files = []
    for index, item in enumerate(items or []):
        where = f"evidence.{index}.contentBase64"
        if len(item.content_base64) > (MAX_BYTES + 2) // 3 * 4 + 4:
            raise InvalidInput(f"larger than {MAX_BYTES} bytes", field=where)
        try:
            data = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("not base64 (RFC 4648, standard alphabet)", field=where) from None
        files.append(EvidenceFile(item.filename, item.content_type, data))
    return files


@strawberry.type(description="An objection (异议) to a record, answered by its source agency.")
class Objection:
    row: strawberry.Private[ObjectionRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="Null once the caller may no longer see the record.")
    async def record(self, info: strawberry.Info) -> CreditRecord | None:
        row = await info.context.loaders.record_by_id.load(self.row.record_id)
        return CreditRecord(row=row) if row else None

    @strawberry.field
    def kind(self) -> ObjectionKind:
        return self.row.kind

    @strawberry.field
    def state(self) -> ObjectionState:
        return self.row.state

    @strawberry.field(description="The state in Chinese, e.g. 核查中.")
    def state_label(self) -> str:
        return self.row.state.label

    @strawberry.field
    def reason(self) -> str:
        return self.row.reason

    @strawberry.field
    async def filed_by(self, info: strawberry.Info) -> Agency:
        return Agency(row=await info.context.loaders.agency_by_id.load(self.row.filed_by_agency_id))

    @strawberry.field
    async def answered_by(self, info: strawberry.Info) -> Agency:
        return Agency(row=await info.context.loaders.agency_by_id.load(self.row.source_agency_id))

    @strawberry.field
    def filed_at(self) -> datetime:
        return self.row.filed_at

    @strawberry.field(description="Last day to examine it (working days on the calendar).")
    def examine_by(self) -> date:
        return self.row.examine_by

    @strawberry.field(description="Once upheld: last day to correct the record.")
    def correct_by(self) -> date | None:
        return self.row.correct_by

    @strawberry.field(description="The deadline running now.")
    def due(self) -> date:
        return due(OpenObjection.of(self.row))

    @strawberry.field(description="Past its running deadline while still open (逾期未处理).")
    def overdue(self, info: strawberry.Info) -> bool:
        return overdue(OpenObjection.of(self.row), info.context.runtime.today())

    @strawberry.field
    def acknowledged_at(self) -> datetime | None:
        return self.row.acknowledged_at

    @strawberry.field
    def resolved_at(self) -> datetime | None:
        return self.row.resolved_at

    @strawberry.field(description="The answer's reasons (or why the objection closed).")
    def resolution(self) -> str | None:
        return self.row.resolution

    @strawberry.field
    async def evidence(self, info: strawberry.Info) -> list[EvidenceFileInfo]:
        rows = await info.context.loaders.evidence_of_objection.load(self.row.id)
        return [EvidenceFileInfo(row=r) for r in rows]


@strawberry.type(description="A 信用修复 application, decided by the record's source agency.")
class RepairApplication:
    row: strawberry.Private[RepairRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="Null once the caller may no longer see the record.")
    async def record(self, info: strawberry.Info) -> CreditRecord | None:
        row = await info.context.loaders.record_by_id.load(self.row.record_id)
        return CreditRecord(row=row) if row else None

    @strawberry.field
    def state(self) -> RepairState:
        return self.row.state

    @strawberry.field
    def state_label(self) -> str:
        return self.row.state.label

    @strawberry.field(description="The 信用承诺书 the subject made.")
    def commitment(self) -> str:
        return self.row.commitment

    @strawberry.field
    async def applicant(self, info: strawberry.Info) -> Agency:
        row = await info.context.loaders.agency_by_id.load(self.row.applicant_agency_id)
        return Agency(row=row)

    @strawberry.field
    def applied_at(self) -> datetime:
        return self.row.applied_at

    @strawberry.field(description="Last day to decide (working days on the calendar).")
    def decide_by(self) -> date:
        return self.row.decide_by

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self.row.decided_at

    @strawberry.field
    def reason(self) -> str | None:
        return self.row.reason

    @strawberry.field
    async def evidence(self, info: strawberry.Info) -> list[EvidenceFileInfo]:
        rows = await info.context.loaders.evidence_of_repair.load(self.row.id)
        return [EvidenceFileInfo(row=r) for r in rows]


@strawberry.type
class ObjectionEdge:
    cursor: str
    node: Objection


@strawberry.type
class ObjectionConnection:
    edges: list[ObjectionEdge]
    page_info: PageInfo


@strawberry.type
class RepairEdge:
    cursor: str
    node: RepairApplication


@strawberry.type
class RepairConnection:
    edges: list[RepairEdge]
    page_info: PageInfo


@strawberry.input
class ObjectionFilter:
    state: ObjectionState | None = None
    overdue: bool = strawberry.field(default=False, description="Only those past deadline.")
    record: strawberry.ID | None = None
    to_my_records: bool | None = strawberry.field(
        default=None,
        description="true: objections to this agency's records (its queue); false: those "
        "it filed; null: both.",
    )


@strawberry.input
class RepairFilter:
    state: RepairState | None = None
    record: strawberry.ID | None = None
    to_my_records: bool | None = None


@strawberry.type
class LifecycleQueries:
    @scoped_field(
        OBJECTIONS_FILE,
        OBJECTIONS_MANAGE,
        ADMIN,
        description="Objections the caller filed or that concern its records, oldest first.",
    )
    async def objections(
        self,
        info: strawberry.Info,
        filter: ObjectionFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ObjectionConnection:
        flt = filter or ObjectionFilter()
        page = await objections.list_objections(
            info.context.session,
            info.context.actor,
            objections.ObjectionFilter(
                state=flt.state,
                overdue=flt.overdue,
                record_id=parse_id(flt.record, "filter.record") if flt.record else None,
                to_my_records=flt.to_my_records,
            ),
            info.context.runtime.today(),
            first=first,
            after=after,
        )
        return connection_of(page, ObjectionConnection, ObjectionEdge, lambda r: Objection(row=r))

    @scoped_field(
        REPAIR_APPLY,
        REPAIR_DECIDE,
        ADMIN,
        description="Repair applications the caller made or that concern its records.",
    )
    async def repair_applications(
        self,
        info: strawberry.Info,
        filter: RepairFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> RepairConnection:
        flt = filter or RepairFilter()
        page = await repairs.list_repairs(
            info.context.session,
            info.context.actor,
            repairs.RepairFilter(
                state=flt.state,
                record_id=parse_id(flt.record, "filter.record") if flt.record else None,
                to_my_records=flt.to_my_records,
            ),
            first=first,
            after=after,
        )
        return connection_of(page, RepairConnection, RepairEdge, lambda r: RepairApplication(row=r))


@strawberry.enum(description="The source agency's answer to an objection.")
class ObjectionOutcome(Enum):
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


@strawberry.input
class ObjectionInput:
    record: strawberry.ID
    kind: ObjectionKind = strawberry.field(
        description="DATA_ERROR: the data is wrong (the record counts as REVIEW at most while "
        "open); SANCTION_REVIEW: a 复审/复核 is pending (the sanction keeps its effect)."
    )
    reason: str = strawberry.field(description="The grounds, 5 to 2,000 characters.")
    evidence: list[EvidenceInput] | None = strawberry.field(
        default=None, description="At most 3 files."
    )


@strawberry.input
class RepairInput:
    record: strawberry.ID
    commitment: str = strawberry.field(description="信用承诺书: what the subject undertakes.")
    obligations_fulfilled: bool = strawberry.field(
        description="The subject has met its obligations (履行法定义务、纠正失信行为)."
    )
    evidence: list[EvidenceInput] | None = None


@strawberry.type
class LifecycleMutations:
    @scoped_mutation(
        OBJECTIONS_FILE,
        description="File an objection (异议) for the subject; the record's source agency "
        "answers within the deadline. A record the caller cannot see is NOT_FOUND.",
    )
    async def file_objection(self, info: strawberry.Info, input: ObjectionInput) -> Objection:
        context = info.context
        filing = objections.Filing(
            record_id=parse_id(input.record, "input.record"),
            kind=input.kind,
            reason=input.reason,
            evidence=evidence_files(input.evidence),
        )
        row = await objections.file_objection(
            context.session,
            context.runtime.pii,
            context.runtime.calendar,
            context.actor,
            filing,
            context.runtime.today(),
        )
        return Objection(row=row)

    @scoped_mutation(OBJECTIONS_MANAGE, description="The source agency starts examining it.")
    async def acknowledge_objection(self, info: strawberry.Info, id: strawberry.ID) -> Objection:
        context = info.context
        row = await objections.acknowledge(context.session, context.actor, parse_id(id, "id"))
        return Objection(row=row)

    @scoped_mutation(
        OBJECTIONS_MANAGE,
        description="The source agency's answer. UPHELD: it corrects the record by resubmitting "
        "it within the correction deadline, or revokes it now (revoke: true). REJECTED: the "
        "record stands; the reasons go to the filer.",
    )
    async def resolve_objection(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        outcome: ObjectionOutcome,
        reason: str,
        revoke: bool = False,
    ) -> Objection:
        context = info.context
        resolution = objections.Resolution(
            parse_id(id, "id"), outcome is ObjectionOutcome.UPHELD, reason, revoke
        )
        row = await objections.resolve(
            context.session,
            context.runtime.calendar,
            context.actor,
            resolution,
            context.runtime.today(),
        )
        return Objection(row=row)

    @scoped_mutation(
        REPAIR_APPLY,
        description="Apply for 信用修复. Refused at once (REPAIR_NOT_ELIGIBLE, with "
        "extensions.earliest when only time stands in the way) unless the record may be "
        "repaired today.",
    )
    async def apply_for_repair(
        self, info: strawberry.Info, input: RepairInput
    ) -> RepairApplication:
        context = info.context
        application = repairs.Application(
            record_id=parse_id(input.record, "input.record"),
            commitment=input.commitment,
            obligations_fulfilled=input.obligations_fulfilled,
            evidence=evidence_files(input.evidence),
        )
        row = await repairs.apply_for_repair(
            context.session,
            context.runtime.pii,
            context.runtime.calendar,
            context.runtime.ruleset,
            context.actor,
            application,
            context.runtime.today(),
        )
        return RepairApplication(row=row)

    @scoped_mutation(
        REPAIR_DECIDE,
        description="The agency that made the record decides. Approved: its publicity and the "
        "失信惩戒 measures on it end today; statutory effects stay.",
    )
    async def decide_repair(
        self, info: strawberry.Info, id: strawberry.ID, approve: bool, reason: str
    ) -> RepairApplication:
        context = info.context
        decision = repairs.Decision(parse_id(id, "id"), approve, reason)
        row = await repairs.decide(
            context.session, context.actor, decision, context.runtime.today()
        )
        return RepairApplication(row=row)
