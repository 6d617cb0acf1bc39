"""政务诚信评价: a period's scores per agency or per 行政区划, computed from the hub's data by
the current indicator system, or read from the snapshot of a published round. Evaluators
(evaluation:manage) enter the indicators the hub cannot compute and publish rounds; once
published, a round's result never changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency, AgencyLevel
from hub.auth.actor import Actor
from hub.db.base import utcnow
from hub.errors import Conflict, InvalidInput, NotFound
from hub.evaluation.indicators import Indicator, IndicatorSystem, current_system
from hub.evaluation.measures import measure
from hub.evaluation.models import EvaluationSnapshot, ManualValue
from hub.evaluation.periods import Period
from hub.evaluation.scoring import (
    Evidence,
    IndicatorResult,
    Status,
    UnitResult,
    regions_of,
    score_units,
)
from hub.lifecycle.access import clean_reason
from hub.subjects.identifiers import parse_uscc


class Level(str, Enum):
    AGENCY = "AGENCY"
    REGION = "REGION"


@dataclass(frozen=True)
class Evaluation:
    period: str
    level: Level
    as_of: date
    version: str
    units: tuple[UnitResult, ...]
    published_at: datetime | None = None
    published_by: str | None = None


async def evaluate(
    session: AsyncSession,
    period: Period,
    level: Level,
    today: date,
    system: IndicatorSystem | None = None,
) -> Evaluation:
    """The published round if there is one, else computed now."""
    system = system or current_system()
    snapshot = await session.scalar(
        select(EvaluationSnapshot).where(
            EvaluationSnapshot.period == period.name,
            EvaluationSnapshot.level == level.value,
            EvaluationSnapshot.version == system.version,
        )
    )
    if snapshot is not None:
        return from_json(snapshot.result, snapshot.published_at, snapshot.published_by)
    return await compute(session, period, level, today, system)


async def compute(
    session: AsyncSession, period: Period, level: Level, today: date, system: IndicatorSystem
) -> Evaluation:
    as_of = period.as_of(today)
    if as_of < period.start:
        raise InvalidInput("the period has not begun", field="period", zh="评价周期尚未开始")
    agencies = list(await session.scalars(select(Agency).order_by(Agency.id)))
    values = await measure(session, system, period, as_of)
    by_id = {a.id: a for a in agencies}
    units = score_units(
        system,
        {a.uscc: a.name for a in agencies},
        {by_id[agency].uscc: found for agency, found in values.items() if agency in by_id},
    )
    if level is Level.REGION:
        units = regions_of(
            system, units, {a.uscc: a.region_code for a in agencies}, region_names(agencies)
        )
    return Evaluation(period.name, level, as_of, system.version, units)


def region_names(agencies: list[Agency]) -> dict[str, str]:
    """A region is named after its 人民政府 among the agencies (江州市江城区人民政府 → 江州市
    江城区; the city's own → 江州市（市本级）); a region without one keeps its code."""
    names: dict[str, str] = {}
    for agency in agencies:
        if agency.name.endswith("人民政府"):
            name = agency.name.removesuffix("人民政府")
            if agency.level is not AgencyLevel.COUNTY:
                name += "（本级）"
            names.setdefault(agency.region_code, name)
    return names


async def publish(
    session: AsyncSession, actor: Actor, period: Period, level: Level, today: date
) -> Evaluation:
    """Stores the round as computed now; a round is published once per version."""
    system = current_system()
    if period.end >= today:
        raise InvalidInput(
            "a round is published once its period has ended",
            field="period",
            zh="评价周期结束后方可发布结果",
        )
    evaluation = await compute(session, period, level, today, system)
    snapshot = EvaluationSnapshot(
        period=period.name,
        level=level.value,
        version=system.version,
        result=to_json(evaluation),
        published_by=actor.principal or "hub",
    )
    try:
        async with session.begin_nested():
            session.add(snapshot)
    except IntegrityError:
        raise Conflict(
            f"the {period.name} round ({level.value}) is already published",
            field="period",
            zh="该周期的评价结果已发布，不能重复发布",
        ) from None
    return from_json(snapshot.result, snapshot.published_at or utcnow(), snapshot.published_by)


async def enter_value(
    session: AsyncSession,
    actor: Actor,
    period: Period,
    indicator_id: str,
    agency_uscc: str,
    percent: float,
    note: str,
) -> ManualValue:
    """An evaluator's value for an indicator the hub cannot compute (0..100 % achieved); a
    second entry for the same agency replaces the first and names its evaluator."""
    system = current_system()
    indicator = _manual_indicator(system, indicator_id)
    if not 0 <= percent <= 100:
        raise InvalidInput(
            "a percentage from 0 to 100", field="percent", zh="得分率应在 0 至 100 之间"
        )
    uscc = parse_uscc(agency_uscc, field="agency").code
    agency = await session.scalar(select(Agency).where(Agency.uscc == uscc))
    if agency is None:
        raise NotFound("no participating agency has this USCC", field="agency", zh="没有这个单位")
    await _refuse_published(session, period, system)
    entry = await session.scalar(
        select(ManualValue).where(
            ManualValue.period == period.name,
            ManualValue.version == system.version,
            ManualValue.indicator_id == indicator.id,
            ManualValue.agency_id == agency.id,
        )
    )
    if entry is None:
        entry = ManualValue(
            period=period.name,
            version=system.version,
            indicator_id=indicator.id,
            agency_id=agency.id,
        )
        session.add(entry)
    entry.value = round(percent / 100, 4)
    entry.note = clean_reason(note, "note")
    entry.entered_by = actor.principal or "hub"
    entry.entered_at = utcnow()
    await session.flush()
    return entry


def _manual_indicator(system: IndicatorSystem, indicator_id: str) -> Indicator:
    indicator = system.indicator(indicator_id)
    if indicator is None or not indicator.manual:
        manual = ", ".join(i.id for i in system.indicators if i.manual)
        raise InvalidInput(
            f"not an indicator entered by hand; those are {manual}",
            field="indicator",
            zh=f"该指标由平台计算，不能人工录入（人工录入指标：{manual}）",
        )
    return indicator


async def _refuse_published(session: AsyncSession, period: Period, system: IndicatorSystem) -> None:
    published = await session.scalar(
        select(EvaluationSnapshot.id).where(
            EvaluationSnapshot.period == period.name, EvaluationSnapshot.version == system.version
        )
    )
    if published is not None:
        raise Conflict(
            f"the {period.name} round is published: its values are final",
            field="period",
            zh="该周期已发布，录入值不能再修改",
        )


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    data = asdict(evaluation)
    data["level"] = evaluation.level.value
    data["as_of"] = str(evaluation.as_of)
    for unit in data["units"]:
        for indicator in unit["indicators"]:
            indicator["status"] = indicator["status"].value
    data.pop("published_at"), data.pop("published_by")
    return data


def from_json(
    data: dict[str, Any], published_at: datetime | None, published_by: str | None
) -> Evaluation:
    units = tuple(
        UnitResult(
            **{
                **unit,
                "indicators": tuple(
                    IndicatorResult(
                        **{
                            **ind,
                            "status": Status(ind["status"]),
                            "evidence": tuple(Evidence(**e) for e in ind["evidence"]),
                        }
                    )
                    for ind in unit["indicators"]
                ),
            }
        )
        for unit in data["units"]
    )
    return Evaluation(
        data["period"],
        Level(data["level"]),
        date.fromisoformat(data["as_of"]),
        data["version"],
        units,
        published_at,
        published_by,
    )
