"""The indicator system (indicators.toml) as typed data, checked when it is read: weights,
dimensions, scoring parameters and grade thresholds that do not fit are refused with the
indicator's id, never half-used."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

from hub.records.enums import RecordCategory, Severity


class Scoring(str, Enum):
    DEDUCT = "deduct"
    SHARE = "share"
    DAYS = "days"
    MANUAL = "manual"


MEASURES = frozenset(
    {
        "records",
        "days_listed",
        "clues_verified",
        "commitments_kept",
        "objections_on_time",
        "repairs_on_time",
        "delivery_age",
        "manual",
    }
)


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    dimension: str
    weight: float
    measure: str
    scoring: Scoring
    basis: str
    categories: tuple[RecordCategory, ...] = ()
    severity_weights: dict[Severity, float] = field(default_factory=dict)
    per_unit: float = 0.0
    good: float = 0.0
    bad: float = 0.0

    @property
    def manual(self) -> bool:
        return self.scoring is Scoring.MANUAL


@dataclass(frozen=True)
class Grade:
    id: str
    label: str
    min_score: float


@dataclass(frozen=True)
class IndicatorSystem:
    version: str
    title: str
    dimensions: dict[str, str]  # id → name, in the file's order
    indicators: tuple[Indicator, ...]
    grades: tuple[Grade, ...]  # highest threshold first

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def grade(self, score: float) -> Grade:
        return next(g for g in self.grades if score >= g.min_score)


class IndicatorError(ValueError):
    pass


def parse_system(data: dict[str, Any]) -> IndicatorSystem:
    dimensions = {d["id"]: d["name"] for d in data.get("dimension", [])}
    indicators = tuple(_indicator(raw, dimensions) for raw in data.get("indicator", []))
    ids = [i.id for i in indicators]
    if len(set(ids)) != len(ids):
        raise IndicatorError("indicator ids repeat")
    if abs(sum(i.weight for i in indicators) - 100) > 1e-9:
        raise IndicatorError("indicator weights must add up to 100")
    grades = tuple(
        sorted(
            (Grade(g["id"], g["label"], float(g["min_score"])) for g in data.get("grade", [])),
            key=lambda g: -g.min_score,
        )
    )
    if not grades or grades[-1].min_score != 0:
        raise IndicatorError("the lowest grade must start at 0, so every score has a grade")
    return IndicatorSystem(str(data["version"]), str(data["title"]), dimensions, indicators, grades)


def _indicator(raw: dict[str, Any], dimensions: dict[str, str]) -> Indicator:
    where = f"indicator {raw.get('id', '?')}"
    try:
        indicator = Indicator(
            id=raw["id"],
            name=raw["name"],
            dimension=raw["dimension"],
            weight=float(raw["weight"]),
            measure=raw["measure"],
            scoring=Scoring(raw["scoring"]),
            basis=raw["basis"],
            categories=tuple(RecordCategory(c) for c in raw.get("categories", [])),
            severity_weights={
                Severity(k): float(v) for k, v in raw.get("severity_weights", {}).items()
            },
            per_unit=float(raw.get("per_unit", 0)),
            good=float(raw.get("good", 0)),
            bad=float(raw.get("bad", 0)),
        )
    except (KeyError, ValueError) as error:
        raise IndicatorError(f"{where}: {error}") from None
    if indicator.dimension not in dimensions:
        raise IndicatorError(f"{where}: unknown dimension {indicator.dimension}")
    if indicator.measure not in MEASURES:
        raise IndicatorError(f"{where}: unknown measure {indicator.measure}")
    if (indicator.measure == "manual") != indicator.manual:
        raise IndicatorError(f"{where}: only the manual measure is scored manually")
    if indicator.weight <= 0:
        raise IndicatorError(f"{where}: weight must be positive")
    if indicator.scoring is Scoring.DEDUCT and indicator.per_unit <= 0:
        raise IndicatorError(f"{where}: deduct needs per_unit > 0")
    if indicator.scoring is Scoring.DAYS and not 0 <= indicator.good < indicator.bad:
        raise IndicatorError(f"{where}: days needs 0 <= good < bad")
    if indicator.measure in ("records", "days_listed") and not indicator.categories:
        raise IndicatorError(f"{where}: {indicator.measure} needs categories")
    return indicator


@cache
def current_system() -> IndicatorSystem:
    text = resources.files("hub.evaluation").joinpath("indicators.toml").read_text("utf-8")
    return parse_system(tomllib.loads(text))
