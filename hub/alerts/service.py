"""监测预警: the scan that gathers a day's facts and raises what the rules say (once per key),
and the handling of warnings (acknowledged by the owner agency, closed with a note).

Evaluators (evaluation:read) see every warning; an agency sees its own. The scan runs with
the lifecycle run (`hub lifecycle run`, daily from cron, and when a server starts) and on
its own as `hub warnings scan`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.agencies.models import Agency, SourceFeed
from hub.alerts.models import Alert
from hub.alerts.rules import AlertRule, Facts, FeedFact, OpenItem, RecordFact, raise_warnings
from hub.alerts.states import WarningLevel, WarningState
from hub.auth.actor import Actor
from hub.auth.scopes import (
    ADMIN,
    CLUES_MANAGE,
    COMMITMENTS_MANAGE,
    EVALUATION_MANAGE,
    EVALUATION_READ,
    OBJECTIONS_MANAGE,
    RECORDS_WRITE,
    REPAIR_DECIDE,
)
from hub.clues.models import Clue, ClueState
from hub.commitments.models import Commitment, CommitmentState
from hub.db.base import utcnow
from hub.db.paging import Page, page_of
from hub.db.upsert import insert_new
from hub.errors import Conflict, NotFound
from hub.lifecycle.access import clean_reason, oversees, oversight_scope
from hub.objections.models import Objection
from hub.records.enums import ObjectionState, RecordCategory, RecordStatus, RepairState
from hub.records.models import CreditRecord
from hub.records.service import records_of_agencies
from hub.repairs.models import RepairApplication
from hub.subjects.service import chunks

# An agency sees and handles its own warnings with any of the scopes its officers act with.
WARNING_SCOPES = (
    EVALUATION_READ,
    EVALUATION_MANAGE,
    COMMITMENTS_MANAGE,
    CLUES_MANAGE,
    OBJECTIONS_MANAGE,
    REPAIR_DECIDE,
    RECORDS_WRITE,
    ADMIN,
)


async def gather_facts(session: AsyncSession, rules: Sequence[AlertRule], today: date) -> Facts:
    window = max((r.window_days for r in rules), default=0)
    records = await session.execute(
        records_of_agencies(
            CreditRecord.id,
            Agency.id,
            CreditRecord.category,
            CreditRecord.severity,
            CreditRecord.decided_at,
            CreditRecord.detail,
            CreditRecord.source_ref,
        )
        .where(
            CreditRecord.status == RecordStatus.ACTIVE,
            CreditRecord.repaired_on.is_(None),
            or_(CreditRecord.effective_until.is_(None), CreditRecord.effective_until >= today),
            or_(
                CreditRecord.decided_at >= today - timedelta(days=window),
                CreditRecord.category == RecordCategory.PAYMENT_ARREARS,
            ),
        )
        .order_by(CreditRecord.id)
    )
    record_facts = [
        RecordFact(rid, agency, category, severity, decided, _due_on(detail), ref)
        for rid, agency, category, severity, decided, detail, ref in records
    ]
    return Facts(record_facts, await _open_items(session), await _feeds(session))


def _due_on(detail: dict | None) -> date | None:
    text = (detail or {}).get("dueOn")
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


async def _open_items(session: AsyncSession) -> list[OpenItem]:
    items: list[OpenItem] = []
    examining = (ObjectionState.OPEN, ObjectionState.ACKNOWLEDGED)
    objections = await session.execute(
        select(Objection.id, Objection.source_agency_id, Objection.state, Objection.examine_by,
               Objection.correct_by)
        .where(or_(Objection.state.in_(examining),
                   and_(Objection.state == ObjectionState.UPHELD,
                        Objection.correct_by.is_not(None))))
    )  # fmt: skip
    for oid, agency, state, examine_by, correct_by in objections:
        due = correct_by if state is ObjectionState.UPHELD and correct_by else examine_by
        items.append(OpenItem("objection", oid, agency, due))
    repairs = await session.execute(
        select(RepairApplication.id, RepairApplication.source_agency_id,
               RepairApplication.decide_by)
        .where(RepairApplication.state == RepairState.PENDING)
    )  # fmt: skip
    items += [OpenItem("repair", i, a, d) for i, a, d in repairs]
    clues = await session.execute(
        select(Clue.id, Clue.agency_id, Clue.decide_by).where(Clue.state == ClueState.OPEN)
    )
    items += [OpenItem("clue", i, a, d) for i, a, d in clues]
    commitments = await session.execute(
        select(Commitment.id, Commitment.agency_id, Commitment.due_on).where(
            Commitment.state == CommitmentState.OPEN
        )
    )
    items += [OpenItem("commitment", i, a, d) for i, a, d in commitments]
    return sorted(items, key=lambda i: (i.item, i.id))


async def _feeds(session: AsyncSession) -> list[FeedFact]:
    rows = await session.execute(
        select(SourceFeed.agency_id, func.max(SourceFeed.last_success_at))
        .group_by(SourceFeed.agency_id)
        .order_by(SourceFeed.agency_id)
    )
    return [FeedFact(agency, clock.china_date(at)) for agency, at in rows if at is not None]


async def scan(session: AsyncSession, rules: Sequence[AlertRule], today: date) -> list[Alert]:
    """Raises the warnings the rules find today that were never raised before; returns them.
    A key already raised — by an earlier scan, or by another process scanning at the same
    moment — is skipped by the insert itself."""
    found = raise_warnings(rules, await gather_facts(session, rules, today), today)
    rows = [
        {
            "key": r.key,
            "rule": r.rule,
            "level": r.level,
            "agency_id": r.agency_id,
            "message": r.message,
            "refs": r.refs,
            "state": WarningState.OPEN,
            "raised_at": utcnow(),
        }
        for r in found
    ]
    ids: list[int] = []
    for batch in chunks(rows):
        ids += await insert_new(session, Alert, batch, "key")
    raised: list[Alert] = []
    for few in chunks(ids):
        raised += await session.scalars(select(Alert).where(Alert.id.in_(few)))
    return sorted(raised, key=lambda a: a.key)


async def visible_warning(session: AsyncSession, actor: Actor, warning_id: int) -> Alert:
    alert = await session.get(Alert, warning_id)
    if alert is None or not (oversees(actor) or alert.agency_id == actor.agency_id):
        raise NotFound(f"no warning {warning_id} for this client", field="id", zh="没有这条预警")
    return alert


async def acknowledge(session: AsyncSession, actor: Actor, warning_id: int) -> Alert:
    alert = await _handled(session, actor, warning_id)
    if alert.state is not WarningState.OPEN:
        raise _wrong_state(alert, "acknowledged")
    alert.state = WarningState.ACKNOWLEDGED
    alert.acknowledged_at, alert.acknowledged_by = utcnow(), actor.principal
    return alert


async def close(session: AsyncSession, actor: Actor, warning_id: int, note: str) -> Alert:
    alert = await _handled(session, actor, warning_id)
    if alert.state is WarningState.CLOSED:
        raise _wrong_state(alert, "closed")
    alert.note = clean_reason(note, "note")
    alert.state = WarningState.CLOSED
    alert.closed_at, alert.closed_by = utcnow(), actor.principal
    return alert


async def _handled(session: AsyncSession, actor: Actor, warning_id: int) -> Alert:
    """The owner agency handles its warnings; evaluators (evaluation:manage) any."""
    alert = await visible_warning(session, actor, warning_id)
    if not (actor.has(ADMIN) or actor.has(EVALUATION_MANAGE) or alert.agency_id == actor.agency_id):
        raise NotFound(f"no warning {warning_id} for this client", field="id", zh="没有这条预警")
    return alert


def _wrong_state(alert: Alert, step: str) -> Conflict:
    return Conflict(
        f"warning {alert.id} is {alert.state.value} and cannot be {step}",
        field="id",
        zh=f"该预警已是“{alert.state.label}”状态",
        extra={"state": alert.state.value},
    )


@dataclass(frozen=True)
class WarningFilter:
    state: WarningState | None = None
    open_only: bool = False
    rule: str | None = None
    level: WarningLevel | None = None
    agency_id: int | None = None


async def list_warnings(
    session: AsyncSession, actor: Actor, flt: WarningFilter, *, first: int, after: str | None
) -> Page[Alert]:
    query = oversight_scope(select(Alert), actor, Alert.agency_id, agency_id=flt.agency_id)
    if flt.state is not None:
        query = query.where(Alert.state == flt.state)
    if flt.open_only:
        query = query.where(Alert.state != WarningState.CLOSED)
    if flt.rule is not None:
        query = query.where(Alert.rule == flt.rule)
    if flt.level is not None:
        query = query.where(Alert.level == flt.level)
    return await page_of(session, query, Alert.id, kind="warning", first=first, after=after)


async def open_by_level(session: AsyncSession, actor: Actor) -> dict[WarningLevel, int]:
    """Warnings not closed that the actor sees, by level: the dashboard's figures."""
    query = oversight_scope(
        select(Alert.level, func.count()).where(Alert.state != WarningState.CLOSED),
        actor,
        Alert.agency_id,
    )
    rows = await session.execute(query.group_by(Alert.level))
    return {level: count for level, count in rows}


async def open_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Warnings not closed, by (rule, level): for /metrics."""
    rows = await session.execute(
        select(Alert.rule, Alert.level, func.count())
        .where(Alert.state != WarningState.CLOSED)
        .group_by(Alert.rule, Alert.level)
    )
    return {(rule, level.value): count for rule, level, count in rows}
