"""Working days (工作日) on the official calendar: weekends and public holidays off, the
调休 weekends worked, as the State Council's notice for each year sets them. The years the
installed `chinese-calendar` knows come from it; an operator adds a year it does not know yet
(the notice is published each November) in a holidays file (HUB_HOLIDAYS). A deadline that
would run into a year neither knows is refused with a clear error, never guessed."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

from hub.errors import ConfigurationError, HubError


class CalendarUnknown(HubError):
    code = "CALENDAR_UNKNOWN"


@dataclass(frozen=True)
class WorkCalendar:
    # Years given by the operator: their days off and the weekend days worked (调休).
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    extra_years: frozenset[int] = field(default=frozenset())

    def is_working_day(self, day: date) -> bool:
        if day.year in self.extra_years:
            if day in self.workdays:
                return True
            return day.weekday() < 5 and day not in self.holidays
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarUnknown(
                f"the official working-day calendar for {day.year} is not known to this hub: "
                f"upgrade the chinese-calendar package, or add {day.year}'s holidays and "
                "调休 working days to the HUB_HOLIDAYS file (see the README)",
                field="deadline",
                zh=f"本平台尚无{day.year}年的法定节假日安排，无法计算工作日期限，请联系平台运维人员",
            ) from None

    def add_working_days(self, start: date, days: int) -> date:
        """The day `days` working days after `start` (the start day itself not counted, as
        民法典 Art. 201 counts): the last day of a deadline of that many working days."""
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


def load_calendar(path: Path | None) -> WorkCalendar:
    """`[[year]] year = 2027, holidays = [...], workdays = [...]` from HUB_HOLIDAYS."""
    if path is None:
        return WorkCalendar()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        years: list[dict[str, Any]] = document.get("year", [])
        holidays = frozenset(d for y in years for d in y.get("holidays", []))
        workdays = frozenset(d for y in years for d in y.get("workdays", []))
        known = frozenset(int(y["year"]) for y in years)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"HUB_HOLIDAYS {path}: {exc}", field="HUB_HOLIDAYS") from exc
    stray = [d for d in holidays | workdays if not isinstance(d, date) or d.year not in known]
    if stray:
        raise ConfigurationError(
            f"HUB_HOLIDAYS {path}: {stray[0]!r} is not a date of a year the file declares",
            field="HUB_HOLIDAYS",
        )
    return WorkCalendar(holidays, workdays, known)
