"""Deadlines as data (deadlines.toml), per record category, with their legal basis."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from hub.errors import ConfigurationError
from hub.lifecycle.calendar import WorkCalendar
from hub.records.enums import RecordCategory

DEADLINES = Path(__file__).parent / "deadlines.toml"


@dataclass(frozen=True)
class ObjectionTerms:
    examine_days: int
    examine_in_working_days: bool
    correct_days: int  # working days after the objection is upheld
    basis: str

    def examine_by(self, calendar: WorkCalendar, filed: date) -> date:
        if self.examine_in_working_days:
            return calendar.add_working_days(filed, self.examine_days)
        return filed + timedelta(days=self.examine_days)

    def correct_by(self, calendar: WorkCalendar, upheld: date) -> date:
        return calendar.add_working_days(upheld, self.correct_days)


@dataclass(frozen=True)
class Deadlines:
    objection: dict[RecordCategory | None, ObjectionTerms]
    repair_decide_days: int
    repair_basis: str
    clue_decide_days: int
    clue_basis: str

    def for_objection(self, category: RecordCategory) -> ObjectionTerms:
        return self.objection.get(category) or self.objection[None]

    def repair_decide_by(self, calendar: WorkCalendar, applied: date) -> date:
        return calendar.add_working_days(applied, self.repair_decide_days)

    def clue_decide_by(self, calendar: WorkCalendar, received: date) -> date:
        return calendar.add_working_days(received, self.clue_decide_days)


@cache
def deadlines() -> Deadlines:
    return parse_deadlines(tomllib.loads(DEADLINES.read_text(encoding="utf-8")))


def parse_deadlines(document: dict[str, Any]) -> Deadlines:
    try:
        objection = {
            (None if name == "default" else RecordCategory(name)): _objection_terms(terms)
            for name, terms in document["objection"].items()
        }
        repair = document["repair"]
        days, basis = int(repair["decide_days"]), str(repair["basis"]).strip()
        clue = document["clue"]
        clue_days, clue_basis = int(clue["decide_days"]), str(clue["basis"]).strip()
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"{DEADLINES.name}: {exc}") from exc
    if None not in objection or not basis or days <= 0 or not clue_basis or clue_days <= 0:
        raise ConfigurationError(
            f"{DEADLINES.name}: needs [objection.default], [repair] and [clue]"
        )
    return Deadlines(objection, days, basis, clue_days, clue_basis)


def _objection_terms(raw: dict[str, Any]) -> ObjectionTerms:
    count = raw["examine_count"]
    if count not in ("working", "calendar"):
        raise ValueError(f"examine_count is 'working' or 'calendar', not {count!r}")
    terms = ObjectionTerms(
        int(raw["examine_days"]), count == "working", int(raw["correct_days"]), raw["basis"]
    )
    if terms.examine_days <= 0 or terms.correct_days <= 0 or not terms.basis.strip():
        raise ValueError("deadlines are positive and every one states its basis")
    return terms
