"""The raw value of each computable indicator for each agency in a period, with the evidence
it rests on. One query per kind of fact; the arithmetic is plain Python over the rows, so
what is counted is visible here and nowhere else.

An agency's records are those whose subject is the agency itself (a government body by its
USCC): the 政务失信 of the body, not of its staff. Facts count from the period's first day to
its `as_of` day (its last day, or today while it runs)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.agencies.models import Agency, SourceFeed
from hub.clues.models import Clue, ClueState
from hub.commitments.models import Commitment
from hub.evaluation.indicators import Indicator, IndicatorSystem
from hub.evaluation.models import ManualValue
from hub.evaluation.periods import Period
from hub.evaluation.scoring import Evidence, Measured
from hub.objections.models import Objection
from hub.records.enums import RecordCategory, RecordStatus, RepairState, Severity
from hub.records.models import CreditRecord
from hub.records.service import records_of_agencies
from hub.repairs.models import RepairApplication

# What the source withdrew does not count against anyone.
WITHDRAWN = (RecordStatus.REVOKED, RecordStatus.CORRECTED)

Values = dict[int, dict[str, Measured]]  # agency id → indicator id → measured


def _bounds(period: Period, as_of: date) -> tuple[datetime, datetime]:
    """The period as UTC instants: from its first day's start to as_of's end, in China."""
    start = datetime.combine(period.start, time.min, clock.CHINA)
    end = datetime.combine(as_of + timedelta(days=1), time.min, clock.CHINA)
    return start.astimezone(UTC), end.astimezone(UTC)


def _local(at: datetime | None) -> date | None:
    return clock.china_date(at) if at is not None else None


async def measure(
    session: AsyncSession, system: IndicatorSystem, period: Period, as_of: date
) -> Values:
    values: Values = defaultdict(dict)
    records = await _records(session, period, as_of)
    for indicator in system.indicators:
        if indicator.measure == "records":
            _count_records(values, indicator, records)
        elif indicator.measure == "days_listed":
            _days_listed(values, indicator, records, as_of)
    facts = {
        "clues_verified": _clues_verified,
        "commitments_kept": _commitments_kept,
        "objections_on_time": _objections_on_time,
        "repairs_on_time": _repairs_on_time,
        "delivery_age": _delivery_age,
        "manual": _manual,
    }
    for indicator in system.indicators:
        if indicator.measure in facts:
            found = await facts[indicator.measure](session, system, period, as_of, indicator)
            for agency, measured in found.items():
                values[agency][indicator.id] = measured
    return values


_Row = tuple[int, int, RecordCategory, Severity, date, date | None, str]


async def _records(session: AsyncSession, period: Period, as_of: date) -> list[_Row]:
    rows = await session.execute(
        records_of_agencies(
            CreditRecord.id,
            Agency.id,
            CreditRecord.category,
            CreditRecord.severity,
            CreditRecord.decided_at,
            CreditRecord.effective_until,
            CreditRecord.source_ref,
        )
        .where(
            CreditRecord.decided_at >= period.start,
            CreditRecord.decided_at <= as_of,
            CreditRecord.status.not_in(WITHDRAWN),
        )
        .order_by(CreditRecord.id)
    )
    return [tuple(r) for r in rows]


def _record_evidence(row: _Row) -> Evidence:
    rid, _, category, severity, decided, _, ref = row
    return Evidence("record", rid, f"{category.label}（{severity.label}）{ref}，{decided}")


def _count_records(values: Values, indicator: Indicator, records: Sequence[_Row]) -> None:
    by_agency: dict[int, list[_Row]] = defaultdict(list)
    for row in records:
        if row[2] in indicator.categories:
            by_agency[row[1]].append(row)
    for agency, rows in by_agency.items():
        weight = sum(indicator.severity_weights.get(r[3], 1.0) for r in rows)
        detail = f"{len(rows)} 条" + (f"，加权 {weight:g}" if indicator.severity_weights else "")
        values[agency][indicator.id] = Measured(
            weight, tuple(_record_evidence(r) for r in rows), detail
        )


def _days_listed(
    values: Values, indicator: Indicator, records: Sequence[_Row], as_of: date
) -> None:
    by_agency: dict[int, list[_Row]] = defaultdict(list)
    for row in records:
        if row[2] in indicator.categories:
            by_agency[row[1]].append(row)
    for agency, rows in by_agency.items():
        days = [((min(r[5], as_of) if r[5] else as_of) - r[4]).days for r in rows]
        mean = round(sum(days) / len(days), 1)
        still = sum(1 for r in rows if r[5] is None or r[5] > as_of)
        values[agency][indicator.id] = Measured(
            mean,
            tuple(_record_evidence(r) for r in rows),
            f"{len(rows)} 次列入，平均 {mean:g} 天，{still} 次截至 {as_of} 仍在名单",
        )


async def _clues_verified(
    session: AsyncSession, system: IndicatorSystem, period: Period, as_of: date, _: Indicator
) -> dict[int, Measured]:
    start, end = _bounds(period, as_of)
    rows = await session.execute(
        select(Clue.id, Clue.agency_id, Clue.content)
        .where(Clue.state == ClueState.VERIFIED, Clue.decided_at >= start, Clue.decided_at < end)
        .order_by(Clue.id)
    )
    grouped: dict[int, list[Evidence]] = defaultdict(list)
    for cid, agency, content in rows:
        grouped[agency].append(Evidence("clue", cid, f"线索 {cid}：{content[:30]}"))
    return {a: Measured(len(e), tuple(e), f"{len(e)} 条查实") for a, e in grouped.items()}


def _share(parts: Iterable[tuple[int, bool, Evidence]]) -> dict[int, Measured]:
    """(agency, on time, evidence) → the share on time per agency."""
    grouped: dict[int, list[tuple[bool, Evidence]]] = defaultdict(list)
    for agency, on_time, evidence in parts:
        grouped[agency].append((on_time, evidence))
    found = {}
    for agency, items in grouped.items():
        kept = sum(1 for on_time, _ in items if on_time)
        found[agency] = Measured(
            round(kept / len(items), 4), tuple(e for _, e in items), f"{kept}/{len(items)} 按期"
        )
    return found


async def _commitments_kept(
    session: AsyncSession, system: IndicatorSystem, period: Period, as_of: date, _: Indicator
) -> dict[int, Measured]:
    """Commitments due in the period (up to as_of): kept if reported fulfilled by the due day."""
    rows = await session.execute(
        select(Commitment.id, Commitment.agency_id, Commitment.due_on, Commitment.fulfilled_on,
               Commitment.counterparty)
        .where(Commitment.due_on >= period.start, Commitment.due_on < as_of)
        .order_by(Commitment.id)
    )  # fmt: skip
    return _share(
        (
            agency,
            fulfilled is not None and fulfilled <= due,
            Evidence("commitment", cid, f"对{party}的承诺，{due} 到期" + (
                f"，{fulfilled} 兑现" if fulfilled else "，未兑现")),
        )
        for cid, agency, due, fulfilled, party in rows
    )  # fmt: skip


async def _objections_on_time(
    session: AsyncSession, system: IndicatorSystem, period: Period, as_of: date, _: Indicator
) -> dict[int, Measured]:
    """Objections to the agency's records filed in the period: closed by the deadline that
    ran (examination, or correction once upheld), or still open past it (late). Those still
    within their deadline are not judged yet."""
    start, end = _bounds(period, as_of)
    rows = await session.execute(
        select(Objection.id, Objection.source_agency_id, Objection.examine_by,
               Objection.correct_by, Objection.resolved_at)
        .where(Objection.filed_at >= start, Objection.filed_at < end)
        .order_by(Objection.id)
    )  # fmt: skip
    parts = []
    for oid, agency, examine_by, correct_by, resolved_at in rows:
        due = correct_by or examine_by
        closed = _local(resolved_at)
        if closed is not None and closed <= as_of:
            on_time = closed <= due
        elif due < as_of:
            on_time = False
        else:
            continue
        label = f"异议 {oid}，期限 {due}" + (f"，{closed} 办结" if closed else "，逾期未办结")
        parts.append((agency, on_time, Evidence("objection", oid, label)))
    return _share(parts)


async def _repairs_on_time(
    session: AsyncSession, system: IndicatorSystem, period: Period, as_of: date, _: Indicator
) -> dict[int, Measured]:
    start, end = _bounds(period, as_of)
    rows = await session.execute(
        select(RepairApplication.id, RepairApplication.source_agency_id,
               RepairApplication.decide_by, RepairApplication.decided_at, RepairApplication.state)
        .where(RepairApplication.applied_at >= start, RepairApplication.applied_at < end,
               RepairApplication.state != RepairState.WITHDRAWN)
        .order_by(RepairApplication.id)
    )  # fmt: skip
    parts = []
    for rid, agency, decide_by, decided_at, _state in rows:
        decided = _local(decided_at)
        if decided is not None and decided <= as_of:
            on_time = decided <= decide_by
        elif decide_by < as_of:
            on_time = False
        else:
            continue
        label = f"修复申请 {rid}，期限 {decide_by}" + (
            f"，{decided} 决定" if decided else "，逾期未决定"
        )
        parts.append((agency, on_time, Evidence("repair", rid, label)))
    return _share(parts)


async def _delivery_age(
    session: AsyncSession, system: IndicatorSystem, period: Period, as_of: date, _: Indicator
) -> dict[int, Measured]:
    """Days from the agency's last successful delivery to as_of; agencies that deliver
    nothing are not judged. A delivery after as_of hides the earlier ones (only the latest
    is kept), so a closed period is not judged on it: published rounds keep their value."""
    rows = await session.execute(
        select(SourceFeed.agency_id, SourceFeed.stream, SourceFeed.last_success_at).order_by(
            SourceFeed.agency_id, SourceFeed.stream
        )
    )
    latest: dict[int, tuple[date, str]] = {}
    for agency, stream, at in rows:
        day = clock.china_date(at)
        if agency not in latest or day > latest[agency][0]:
            latest[agency] = (day, stream)
    found = {}
    for agency, (day, stream) in latest.items():
        evidence = (Evidence("feed", agency, f"数据源 {stream}，最近成功报送 {day}"),)
        if day > as_of:
            found[agency] = Measured(None, evidence, f"最近报送（{day}）晚于评价截止日，无法回溯")
        else:
            found[agency] = Measured(
                (as_of - day).days, evidence, f"距最近成功报送 {(as_of - day).days} 天"
            )
    return found


async def _manual(
    session: AsyncSession,
    system: IndicatorSystem,
    period: Period,
    as_of: date,
    indicator: Indicator,
) -> dict[int, Measured]:
    rows = await session.execute(
        select(ManualValue).where(
            ManualValue.period == period.name,
            ManualValue.version == system.version,
            ManualValue.indicator_id == indicator.id,
        )
    )
    found = {}
    for (entry,) in rows:
        when = clock.china_date(entry.entered_at)
        label = f"{entry.entered_by} 于 {when} 录入 {entry.value:.0%}：{entry.note}"
        found[entry.agency_id] = Measured(
            entry.value, (Evidence("manual", entry.id, label),), "人工录入"
        )
    return found
