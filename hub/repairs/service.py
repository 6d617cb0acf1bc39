"""Applying for and deciding 信用修复 (谁认定、谁修复, 令2025年第36号)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.purposes import AccessPurpose
from hub.auth.actor import Actor
from hub.checks.facts import facts_of
from hub.checks.rules import RuleSet
from hub.checks.rules_periods import measure_last_day
from hub.db.paging import Page, page_of
from hub.errors import Conflict, NotFound, RepairNotEligible
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
from hub.lifecycle.service import decide_repair, note_event
from hub.records.enums import RecordStatus, RepairState
from hub.records.models import CreditRecord
from hub.repairs.models import RepairApplication
from hub.repairs.rules import eligibility
from hub.subjects.pii import PiiCipher


@dataclass(frozen=True)
class Application:
    record_id: int
    commitment: str  # 信用承诺书
    obligations_fulfilled: bool
    evidence: Sequence[EvidenceFile] = ()


async def apply_for_repair(
    session: AsyncSession,
    pii: PiiCipher,
    calendar: WorkCalendar,
    ruleset: RuleSet,
    actor: Actor,
    application: Application,
    today: date,
) -> RepairApplication:
    """Refused at once, with the reason and (when only time stands in the way) the earliest
    day it could succeed, unless the record may be repaired today."""
    agency = agency_of(actor, "apply for a repair")
    check_files(application.evidence)
    record = await visible_record(session, application.record_id)
    _refuse_ineligible(record, ruleset, application, today)
    await _refuse_second_pending(session, record)
    row = RepairApplication(
        record_id=record.id,
        source_agency_id=record.source_agency_id,
        applicant_agency_id=agency,
        applied_by=actor.principal,
        commitment=application.commitment.strip(),
        obligations_fulfilled=True,
        state=RepairState.PENDING,
        decide_by=deadlines().repair_decide_by(calendar, today),
    )
    session.add(row)
    await session.flush()
    store(session, pii, agency, application.evidence, repair_id=row.id)
    note_event(
        session,
        record,
        "REPAIR_APPLIED",
        actor.principal,
        None,
        repair=row.id,
        decideBy=str(row.decide_by),
    )
    await note_workflow_reads(session, [record], AccessPurpose.REPAIR, "applyForRepair")
    return row


def _refuse_ineligible(
    record: CreditRecord, ruleset: RuleSet, application: Application, today: date
) -> None:
    facts = facts_of(record)
    verdict = eligibility(
        facts,
        today,
        obligations_fulfilled=application.obligations_fulfilled,
        commitment=application.commitment,
        publicity_last_day=measure_last_day(facts, ruleset.publicity, ruleset.listing),
    )
    if not verdict.eligible:
        raise RepairNotEligible(
            verdict.reason or "not eligible",
            field="record",
            extra={"earliest": verdict.earliest.isoformat()} if verdict.earliest else None,
            zh="该记录目前不符合信用修复条件",
        )


async def _refuse_second_pending(session: AsyncSession, record: CreditRecord) -> None:
    pending = await session.scalar(
        select(RepairApplication.id).where(
            RepairApplication.record_id == record.id,
            RepairApplication.state == RepairState.PENDING,
        )
    )
    if pending is not None:
        raise Conflict(
            f"repair application {pending} for this record is still pending",
            field="record",
            zh=f"该记录已有待决定的修复申请（编号 {pending}）",
            extra={"application": str(pending)},
        )


@dataclass(frozen=True)
class Decision:
    application_id: int
    approve: bool
    reason: str


async def decide(
    session: AsyncSession, actor: Actor, decision: Decision, today: date
) -> RepairApplication:
    """On approval the record's publicity and the 失信惩戒 measures on it end today; its
    statutory effects stay (the rule engine tells them apart)."""
    reason = clean_reason(decision.reason)
    row = await visible_application(session, actor, decision.application_id)
    require_answerer(actor, row.source_agency_id, "repair application")
    if row.state is not RepairState.PENDING:
        raise Conflict(
            f"repair application {row.id} is {row.state.value} and cannot be decided",
            field="id",
            zh=f"该修复申请已是“{row.state.label}”状态，不能再决定",
            extra={"state": row.state.value},
        )
    record = await session.get(CreditRecord, row.record_id)
    assert record is not None
    if record.status is not RecordStatus.ACTIVE:
        raise Conflict(
            "the source has withdrawn the record: nothing to repair",
            field="id",
            zh="来源单位已撤销或更正该记录，无需修复",
        )
    if decision.approve:
        record.repaired_on = today
        decide_repair(session, record, row, RepairState.APPROVED, reason, actor.principal)
    else:
        decide_repair(session, record, row, RepairState.REJECTED, reason, actor.principal)
    await note_workflow_reads(session, [record], AccessPurpose.REPAIR, "decideRepair")
    return row


async def visible_application(
    session: AsyncSession, actor: Actor, application_id: int
) -> RepairApplication:
    row = await session.get(RepairApplication, application_id)
    if row is None or not is_party(actor, row.applicant_agency_id, row.source_agency_id):
        raise NotFound(
            f"no repair application {application_id} for this client",
            field="id",
            zh="没有这条修复申请",
        )
    return row


@dataclass(frozen=True)
class RepairFilter:
    state: RepairState | None = None
    record_id: int | None = None
    to_my_records: bool | None = None


async def list_repairs(
    session: AsyncSession, actor: Actor, flt: RepairFilter, *, first: int, after: str | None
) -> Page[RepairApplication]:
    model = RepairApplication
    query = parties_only(
        select(model), actor, model.applicant_agency_id, model.source_agency_id, flt.to_my_records
    )
    if flt.state is not None:
        query = query.where(model.state == flt.state)
    if flt.record_id is not None:
        query = query.where(model.record_id == flt.record_id)
    return await page_of(session, query, model.id, kind="repair", first=first, after=after)
