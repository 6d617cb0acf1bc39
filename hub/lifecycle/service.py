"""A record's life after ingest, in the hub's own state: events for every transition, what
an open objection shows on the record, what a source's resubmission does to the workflows,
and the end of publicity written down when it comes (the rules compute it either way).

A source's REVOKED or CORRECTED always wins: it closes every open objection and pending
repair with that reason. A resubmission that changes the content closes an upheld objection
as corrected; an unchanged one changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.checks.facts import facts_of
from hub.checks.rules import RuleSet
from hub.checks.rules_periods import measure_last_day
from hub.db.base import utcnow
from hub.db.upsert import insert_new
from hub.feed.sequencer import write_events
from hub.lifecycle.models import LifecycleRun
from hub.objections.models import Objection
from hub.objections.rules import OpenObjection, record_dispute
from hub.records.enums import (
    OBJECTION_OPEN,
    ObjectionState,
    RecordCategory,
    RecordStatus,
    RepairState,
)
from hub.records.models import RECORD_FIELDS, CreditRecord, RecordEvent, RecordFields
from hub.repairs.models import RepairApplication
from hub.subjects.service import CHUNK, chunks

# 失信信息 whose publicity the hub ends and announces (a 信用网站 publishes them for bodies).
PUBLISHED_CATEGORIES = frozenset(
    {
        RecordCategory.JUDGMENT_DEFAULTER,
        RecordCategory.COURT_JUDGMENT,
        RecordCategory.ADMINISTRATIVE_PENALTY,
        RecordCategory.PAYMENT_ARREARS,
        RecordCategory.PROCUREMENT_BREACH,
        RecordCategory.PPP_DEFAULT,
        RecordCategory.PROMISE_BROKEN,
        RecordCategory.STATISTICS_FRAUD,
    }
)
WITHDRAWN_BY_SOURCE = "the source withdrew the record ({status})"
WITHDRAWING = frozenset({RecordStatus.REVOKED, RecordStatus.CORRECTED})


def note_event(
    session: AsyncSession,
    record: RecordFields,
    kind: str,
    actor: str | None,
    reason: str | None = None,
    **detail: Any,
) -> None:
    """One of the hub's transitions in the record's history: who, when (now), why."""
    session.add(RecordEvent(**event_row(record, kind, actor, reason, **detail)))


def event_row(
    record: RecordFields, kind: str, actor: str | None, reason: str | None = None, **detail: Any
) -> dict[str, Any]:
    """The columns of a transition's event (note_event's, as a plain row for many)."""
    return {
        "record_id": record.id,
        "version": record.version,
        "kind": kind,
        "status": record.status,
        "snapshot": {"lifecycle": kind, **detail},
        "actor": actor,
        "reason": reason,
        "at": utcnow(),
    }


async def refresh_dispute(session: AsyncSession, record: CreditRecord) -> None:
    """What the record shows of its open objections (read by every check)."""
    rows = await session.execute(
        select(Objection.kind, Objection.state, Objection.examine_by, Objection.correct_by).where(
            Objection.record_id == record.id, Objection.state.in_(OBJECTION_OPEN)
        )
    )
    kind, due = record_dispute(OpenObjection(*row) for row in rows)
    record.objection_kind, record.objection_due = kind, due


async def after_source_changes(
    session: AsyncSession, records: Sequence[CreditRecord], actor: str | None
) -> None:
    """Called with every record whose content or status its source has just changed; two
    queries per chunk, whatever the batch, and only records with workflows are touched."""
    by_id = {r.id: r for r in records}
    for part in chunks(sorted(by_id)):
        objections = list(
            await session.scalars(
                select(Objection).where(
                    Objection.record_id.in_(part), Objection.state.in_(OBJECTION_OPEN)
                )
            )
        )
        repairs = list(
            await session.scalars(
                select(RepairApplication).where(
                    RepairApplication.record_id.in_(part),
                    RepairApplication.state == RepairState.PENDING,
                )
            )
        )
        for objection in objections:
            _after_change(session, by_id[objection.record_id], objection, actor)
        for application in repairs:
            record = by_id[application.record_id]
            if record.status in WITHDRAWING:
                reason = WITHDRAWN_BY_SOURCE.format(status=record.status.value)
                decide_repair(session, record, application, RepairState.WITHDRAWN, reason, actor)
        for record_id in {o.record_id for o in objections}:
            await refresh_dispute(session, by_id[record_id])


def _after_change(
    session: AsyncSession, record: CreditRecord, objection: Objection, actor: str | None
) -> None:
    """A withdrawal closes every open objection; a corrected content closes an upheld one
    (the correction it asked for); any other objection stays open."""
    if record.status in WITHDRAWING:
        reason = WITHDRAWN_BY_SOURCE.format(status=record.status.value)
        close_objection(session, record, objection, ObjectionState.WITHDRAWN, reason, actor)
    elif objection.state is ObjectionState.UPHELD:
        reason = f"the source corrected the record (version {record.version})"
        close_objection(session, record, objection, ObjectionState.CORRECTED, reason, actor)


def close_objection(
    session: AsyncSession,
    record: CreditRecord,
    objection: Objection,
    to: ObjectionState,
    reason: str,
    actor: str | None,
) -> None:
    objection.state, objection.resolution = to, reason
    objection.resolved_at, objection.resolved_by = utcnow(), actor
    note_event(session, record, f"OBJECTION_{to.value}", actor, reason, objection=objection.id)


def decide_repair(
    session: AsyncSession,
    record: CreditRecord,
    application: RepairApplication,
    to: RepairState,
    reason: str,
    actor: str | None,
) -> None:
    application.state, application.reason = to, reason
    application.decided_at, application.decided_by = utcnow(), actor
    note_event(session, record, f"REPAIR_{to.value}", actor, reason, repair=application.id)


async def run_done(session: AsyncSession, day: date) -> bool:
    """Whether a publicity pass (note_publicity) went through to the end on `day`."""
    return await session.get(LifecycleRun, day) is not None


async def note_run_done(session: AsyncSession, day: date, publicity_ended: int) -> None:
    """Once per day: of two runs finishing together (cron and a start-up), the first says so."""
    done = {"day": day, "finished_at": utcnow(), "publicity_ended": publicity_ended}
    await insert_new(session, LifecycleRun, [done], "day", returning="day")


async def publicity_candidates(
    session: AsyncSession, after: int = 0, limit: int = CHUNK
) -> list[int]:
    """The next `limit` published records, by id after `after`, whose end is not noted yet
    (most have not ended: judged next). Page by page, never all at once: a hub of 10 million
    records has millions of them."""
    query = (
        select(CreditRecord.id)
        .where(
            CreditRecord.id > after,
            CreditRecord.category.in_(PUBLISHED_CATEGORIES),
            CreditRecord.status == RecordStatus.ACTIVE,
            CreditRecord.publicity_ended_on.is_(None),
            CreditRecord.repaired_on.is_(None),
        )
        .order_by(CreditRecord.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def end_publicity(
    session: AsyncSession, ruleset: RuleSet, today: date, ids: Sequence[int]
) -> int:
    """One chunk of candidates: those whose window closed before `today` are claimed by one
    conditional UPDATE, and each claimed one gets its event (as rows: hub.feed.sequencer's
    write_events)."""
    rows = await session.execute(select(*RECORD_FIELDS).where(CreditRecord.id.in_(ids)))
    ending: dict[int, tuple[RecordFields, date]] = {}
    for record in rows:
        last = measure_last_day(facts_of(record), ruleset.publicity, ruleset.listing)
        if last is not None and last < today:
            ending[record.id] = (record, last)
    claimed = await _claim(session, {id_: last for id_, (_, last) in ending.items()})
    events = []
    for record_id in claimed:
        ended, last = ending[record_id]
        reason = f"publicity ended after {last} (令2025年第36号: at its maximum)"
        events.append(event_row(ended, "PUBLICITY_ENDED", "hub", reason, lastDay=str(last)))
    await write_events(session, events)
    return len(claimed)


async def _claim(session: AsyncSession, last_days: dict[int, date]) -> list[int]:
    """The records whose end this run notes, by id: one conditional UPDATE … RETURNING, each
    record's own end day in a CASE, so a run overlapping another claims each record at most
    once. (One UPDATE per end day, as before, was one per record: a chunk's records rarely
    share a day; 100,000 records took 38 s.)"""
    if not last_days:
        return []
    ended_on = {id_: last + timedelta(days=1) for id_, last in last_days.items()}
    claimed = await session.scalars(
        update(CreditRecord)
        .where(CreditRecord.id.in_(list(ended_on)), CreditRecord.publicity_ended_on.is_(None))
        .values(publicity_ended_on=case(ended_on, value=CreditRecord.id))
        .returning(CreditRecord.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


def objection_overdue(today: date) -> ColumnElement[bool]:
    """hub.objections.rules.overdue as a condition: the running deadline has passed."""
    examining = (ObjectionState.OPEN, ObjectionState.ACKNOWLEDGED)
    return or_(
        and_(Objection.state.in_(examining), Objection.examine_by < today),
        and_(Objection.state == ObjectionState.UPHELD, Objection.correct_by < today),
    )


async def workflow_counts(
    session: AsyncSession, today: date, source_agency_id: int | None = None
) -> dict[str, int]:
    """Open and overdue objections, pending and overdue repair decisions (for /metrics);
    with `source_agency_id`, only those about that agency's records (its dashboard)."""
    pending = RepairApplication.state == RepairState.PENDING
    counts = {
        "objections_open": Objection.state.in_(OBJECTION_OPEN),
        "objections_overdue": objection_overdue(today),
        "repairs_pending": pending,
        "repairs_overdue": and_(pending, RepairApplication.decide_by < today),
    }
    result = {}
    for name, condition in counts.items():
        model = Objection if name.startswith("objections") else RepairApplication
        query = select(func.count()).select_from(model).where(condition)
        if source_agency_id is not None:
            query = query.where(model.source_agency_id == source_agency_id)
        found = await session.scalar(query)
        result[name] = int(found or 0)
    return result
