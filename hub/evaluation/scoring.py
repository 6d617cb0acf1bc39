"""Scores, grades and ranks from measured values: pure, so the same facts and indicator
version always give the same result (the order of units and evidence included)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from hub.evaluation.indicators import Indicator, IndicatorSystem, Scoring


class Status(str, Enum):
    SCORED = "SCORED"
    NOT_APPLICABLE = "NOT_APPLICABLE"  # nothing to judge (no objection filed, no feed kept)
    PENDING_INPUT = "PENDING_INPUT"  # a manual indicator nobody has entered yet (待录入)


@dataclass(frozen=True)
class Evidence:
    """What a score rests on: a record, an objection, a repair application, a commitment, a
    clue, a feed or an evaluator's entry; `label` says it in Chinese."""

    kind: str
    id: int | None
    label: str


@dataclass(frozen=True)
class Measured:
    """An indicator's raw value for one unit; None when nothing applies."""

    value: float | None
    evidence: tuple[Evidence, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    indicator_id: str
    status: Status
    value: float | None
    fraction: float | None  # 0..1 of the indicator's weight
    points: float | None
    detail: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class UnitResult:
    code: str  # an agency's USCC, or a region's 行政区划代码
    name: str
    score: float
    grade: str
    grade_label: str
    rank: int
    indicators: tuple[IndicatorResult, ...]

    @property
    def pending(self) -> int:
        return sum(1 for i in self.indicators if i.status is Status.PENDING_INPUT)


def fraction_of(indicator: Indicator, value: float) -> float:
    if indicator.scoring is Scoring.DEDUCT:
        return max(0.0, 1.0 - value * indicator.per_unit)
    if indicator.scoring is Scoring.DAYS:
        if value <= indicator.good:
            return 1.0
        if value >= indicator.bad:
            return 0.0
        return (indicator.bad - value) / (indicator.bad - indicator.good)
    # share, and manual entries (entered as a fraction)
    return min(1.0, max(0.0, value))


def score_indicator(indicator: Indicator, measured: Measured | None) -> IndicatorResult:
    if measured is None and indicator.scoring is Scoring.DEDUCT:
        measured = Measured(0.0, (), "无")  # nothing counted against the unit: full marks
    if measured is None or measured.value is None:
        status = Status.PENDING_INPUT if indicator.manual else Status.NOT_APPLICABLE
        detail = measured.detail if measured else ("待录入" if indicator.manual else "")
        evidence = measured.evidence if measured else ()
        return IndicatorResult(indicator.id, status, None, None, None, detail, evidence)
    fraction = round(fraction_of(indicator, measured.value), 4)
    return IndicatorResult(
        indicator.id,
        Status.SCORED,
        measured.value,
        fraction,
        round(fraction * indicator.weight, 2),
        measured.detail,
        measured.evidence,
    )


def total(system: IndicatorSystem, results: Sequence[IndicatorResult]) -> float:
    """100 × points / weight of what was scored; 100 when nothing was."""
    weights = {i.id: i.weight for i in system.indicators}
    scored = [r for r in results if r.status is Status.SCORED]
    weight = sum(weights[r.indicator_id] for r in scored)
    if not weight:
        return 100.0
    return round(100 * sum(r.points or 0 for r in scored) / weight, 2)


def ranked(
    system: IndicatorSystem,
    units: Sequence[tuple[str, str, tuple[IndicatorResult, ...], float]],
) -> tuple[UnitResult, ...]:
    """(code, name, indicator results, score) → results ordered by score (then code), with
    competition ranks: equal scores share a rank, the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(units, key=lambda u: (-u[3], u[0]))
    results: list[UnitResult] = []
    for position, (code, name, indicators, score) in enumerate(ordered, 1):
        rank = results[-1].rank if results and results[-1].score == score else position
        grade = system.grade(score)
        results.append(UnitResult(code, name, score, grade.id, grade.label, rank, indicators))
    return tuple(results)


def score_units(
    system: IndicatorSystem,
    names: Mapping[str, str],
    measured: Mapping[str, Mapping[str, Measured]],
) -> tuple[UnitResult, ...]:
    """Agencies: `measured[code][indicator id]`."""
    units = []
    for code, name in names.items():
        results = tuple(
            score_indicator(i, measured.get(code, {}).get(i.id)) for i in system.indicators
        )
        units.append((code, name, results, total(system, results)))
    return ranked(system, units)


def regions_of(
    system: IndicatorSystem,
    agencies: Sequence[UnitResult],
    region_of: Mapping[str, str],
    region_names: Mapping[str, str],
) -> tuple[UnitResult, ...]:
    """A region's score is the mean of its agencies' scores; per indicator, the mean of the
    points its agencies scored, with their evidence."""
    members: dict[str, list[UnitResult]] = {}
    for unit in agencies:
        members.setdefault(region_of[unit.code], []).append(unit)
    units = []
    for code, group in sorted(members.items()):
        results = tuple(_region_indicator(i.id, group) for i in system.indicators)
        score = round(sum(u.score for u in group) / len(group), 2)
        units.append((code, region_names.get(code, code), results, score))
    return ranked(system, units)


def _region_indicator(indicator_id: str, group: Sequence[UnitResult]) -> IndicatorResult:
    parts = [next(r for r in u.indicators if r.indicator_id == indicator_id) for u in group]
    scored = [p for p in parts if p.status is Status.SCORED]
    evidence = tuple(e for p in parts for e in p.evidence)
    detail = f"{len(scored)}/{len(parts)} 个单位计分"
    if not scored:
        pending = any(p.status is Status.PENDING_INPUT for p in parts)
        status = Status.PENDING_INPUT if pending else Status.NOT_APPLICABLE
        return IndicatorResult(indicator_id, status, None, None, None, detail, evidence)
    fraction = round(sum(p.fraction or 0 for p in scored) / len(scored), 4)
    points = round(sum(p.points or 0 for p in scored) / len(scored), 2)
    value = round(sum(p.value or 0 for p in scored) / len(scored), 4)
    return IndicatorResult(indicator_id, Status.SCORED, value, fraction, points, detail, evidence)
