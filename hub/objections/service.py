"""Filing, answering and listing objections (异议). Each step checks who may take it, keeps
the record's dispute state current and writes an event in the record's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.purposes import AccessPurpose
from hub.auth.actor import Actor
from hub.db.base import utcnow
from hub.db.paging import Page, page_of
from hub.errors import Conflict, InvalidInput, NotFound
from hub.evidence.service import EvidenceFile, check_files, store
from hub.lifecycle.access import (
    agency_of,
    clean_reason,
    is_party,
    note_workflow_reads,
    parties_only,
    require_answerer,
    visible_record,
)
from hub.lifecycle.calendar import WorkCalendar
from hub.lifecycle.deadlines import deadlines
from hub.lifecycle.service import (
    WITHDRAWING,
    after_source_changes,
    close_objection,
    note_event,
    objection_overdue,
    refresh_dispute,
)
from hub.objections.models import Objection
from hub.objections.rules import ACKNOWLEDGEABLE, RESOLVABLE
from hub.records.enums import (
    OBJECTION_OPEN,
    ObjectionKind,
    ObjectionState,
    RecordCategory,
    RecordStatus,
)
from hub.records.models import CreditRecord
from hub.subjects.pii import PiiCipher

# 复审/复核 (or 申诉) is asked of sanctions and personnel decisions (政务处分法 Art. 55; 党纪处分
# 申诉; 公务员法 Art. 95 for 辞退 and 组织处理); other records are disputed as data.
REVIEWABLE = frozenset(
    {
        RecordCategory.GOVERNMENT_SANCTION,
        RecordCategory.PARTY_DISCIPLINE,
        RecordCategory.ACCOUNTABILITY,
        RecordCategory.DISMISSAL,
    }
)


@dataclass(frozen=True)
class Filing:
    record_id: int
    kind: ObjectionKind
    reason: str
    evidence: Sequence[EvidenceFile] = ()


async def file_objection(
    session: AsyncSession,
    pii: PiiCipher,
    calendar: WorkCalendar,
    actor: Actor,
    filing: Filing,
    today: date,
) -> Objection:
    """Routes the objection to the record's source agency with its deadline; the record
    shows as disputed from now on. Nothing is stored when any input is wrong."""
    agency = agency_of(actor, "file an objection")
    reason = clean_reason(filing.reason)
    check_files(filing.evidence)
    record = await visible_record(session, filing.record_id)
    if filing.kind is ObjectionKind.SANCTION_REVIEW and record.category not in REVIEWABLE:
        raise InvalidInput(
            f"a {record.category.label} is not a sanction to review: object with DATA_ERROR",
            field="kind",
            zh=f"{record.category.label}不是可申请复审复核的处分，请提出数据异议",
        )
    await _refuse_duplicate(session, record.id, agency, filing.kind)
    terms = deadlines().for_objection(record.category)
    objection = Objection(
        record_id=record.id,
        source_agency_id=record.source_agency_id,
        filed_by_agency_id=agency,
        filed_by=actor.principal,
        kind=filing.kind,
        state=ObjectionState.OPEN,
        reason=reason,
        examine_by=terms.examine_by(calendar, today),
    )
    session.add(objection)
    await session.flush()
    store(session, pii, agency, filing.evidence, objection_id=objection.id)
    note_event(
        session,
        record,
        "OBJECTION_OPENED",
        actor.principal,
        reason,
        objection=objection.id,
        objectionKind=filing.kind.value,
        examineBy=str(objection.examine_by),
    )
    await refresh_dispute(session, record)
    await note_workflow_reads(session, [record], AccessPurpose.OBJECTION, "fileObjection")
    return objection


async def _refuse_duplicate(
    session: AsyncSession, record_id: int, agency: int, kind: ObjectionKind
) -> None:
    open_one = await session.scalar(
        select(Objection.id).where(
            Objection.record_id == record_id,
            Objection.filed_by_agency_id == agency,
            Objection.kind == kind,
            Objection.state.in_(OBJECTION_OPEN),
        )
    )
    if open_one is not None:
        raise Conflict(
            f"this agency's objection {open_one} of the same kind is still open",
            field="record",
            zh=f"本单位对该记录的同类异议（编号 {open_one}）尚未办结",
            extra={"objection": str(open_one)},
        )


async def acknowledge(session: AsyncSession, actor: Actor, objection_id: int) -> Objection:
    objection, record = await _answerable(session, actor, objection_id)
    if objection.state not in ACKNOWLEDGEABLE:
        raise _wrong_state(objection, "acknowledged")
    objection.state = ObjectionState.ACKNOWLEDGED
    objection.acknowledged_at = utcnow()
    note_event(
        session, record, "OBJECTION_ACKNOWLEDGED", actor.principal, None, objection=objection.id
    )
    await note_workflow_reads(session, [record], AccessPurpose.OBJECTION, "acknowledgeObjection")
    return objection


@dataclass(frozen=True)
class Resolution:
    objection_id: int
    upheld: bool
    reason: str
    # UPHELD: the source withdraws the record at once (REVOKED) instead of resubmitting it
    # corrected within the correction deadline.
    revoke: bool = False


async def resolve(
    session: AsyncSession,
    calendar: WorkCalendar,
    actor: Actor,
    resolution: Resolution,
    today: date,
) -> Objection:
    reason = clean_reason(resolution.reason)
    if resolution.revoke and not resolution.upheld:
        raise InvalidInput("only an upheld objection revokes the record", field="revoke")
    objection, record = await _answerable(session, actor, resolution.objection_id)
    if objection.state not in RESOLVABLE:
        raise _wrong_state(objection, "resolved")
    if not resolution.upheld:
        close_objection(
            session, record, objection, ObjectionState.REJECTED, reason, actor.principal
        )
    elif resolution.revoke:
        close_objection(
            session, record, objection, ObjectionState.CORRECTED, reason, actor.principal
        )
        record.status, record.version = RecordStatus.REVOKED, record.version + 1
        note_event(session, record, "STATUS_CHANGED", actor.principal, reason, status="REVOKED")
        await after_source_changes(session, [record], actor.principal)
    else:
        terms = deadlines().for_objection(record.category)
        objection.state, objection.resolution = ObjectionState.UPHELD, reason
        objection.correct_by = terms.correct_by(calendar, today)
        note_event(
            session,
            record,
            "OBJECTION_UPHELD",
            actor.principal,
            reason,
            objection=objection.id,
            correctBy=str(objection.correct_by),
        )
    await refresh_dispute(session, record)
    await note_workflow_reads(session, [record], AccessPurpose.OBJECTION, "resolveObjection")
    return objection


async def _answerable(
    session: AsyncSession, actor: Actor, objection_id: int
) -> tuple[Objection, CreditRecord]:
    objection = await visible_objection(session, actor, objection_id)
    require_answerer(actor, objection.source_agency_id, "objection")
    record = await session.get(CreditRecord, objection.record_id)
    assert record is not None
    if record.status in WITHDRAWING:
        raise Conflict(
            "the source has withdrawn the record: the objection closed with it",
            zh="来源单位已撤销或更正该记录，异议随之办结",
        )
    return objection, record


async def visible_objection(session: AsyncSession, actor: Actor, objection_id: int) -> Objection:
    """An objection for its parties (the filing agency, the source agency, an admin); for
    anyone else it does not exist."""
    objection = await session.get(Objection, objection_id)
    if objection is None or not is_party(
        actor, objection.filed_by_agency_id, objection.source_agency_id
    ):
        raise NotFound(
            f"no objection {objection_id} for this client", field="id", zh="没有这条异议"
        )
    return objection


def _wrong_state(objection: Objection, step: str) -> Conflict:
    return Conflict(
        f"objection {objection.id} is {objection.state.value} and cannot be {step}",
        field="id",
        zh=f"该异议已是“{objection.state.label}”状态，不能再办理",
        extra={"state": objection.state.value},
    )


@dataclass(frozen=True)
class ObjectionFilter:
    state: ObjectionState | None = None
    overdue: bool = False
    record_id: int | None = None
    # Only objections to the caller's own records (its queue) or only its own filings.
    to_my_records: bool | None = None


async def list_objections(
    session: AsyncSession,
    actor: Actor,
    flt: ObjectionFilter,
    today: date,
    *,
    first: int,
    after: str | None,
) -> Page[Objection]:
    query = parties_only(
        select(Objection),
        actor,
        Objection.filed_by_agency_id,
        Objection.source_agency_id,
        flt.to_my_records,
    )
    if flt.state is not None:
        query = query.where(Objection.state == flt.state)
    if flt.record_id is not None:
        query = query.where(Objection.record_id == flt.record_id)
    if flt.overdue:
        query = query.where(objection_overdue(today))
    return await page_of(session, query, Objection.id, kind="objection", first=first, after=after)
