"""An evaluation period: a year ("2026") or a quarter ("2026-Q3"), as its first and last day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hub.errors import InvalidInput

_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date

    def as_of(self, today: date) -> date:
        """The day its facts are judged on: its last day, or today while it runs."""
        return min(self.end, today)

    def quarters(self) -> tuple[Period, ...]:
        if "-Q" in self.name:
            return (self,)
        return tuple(parse_period(f"{self.name}-Q{q}") for q in range(1, 5))


def parse_period(text: str, field: str = "period") -> Period:
    found = _PERIOD.match(text.strip())
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise InvalidInput(
            "a period is a year (2026) or a quarter (2026-Q3)",
            field=field,
            zh="评价周期应为年度（如 2026）或季度（如 2026-Q3）",
        )
    year = int(found.group(1))
    if found.group(2) is None:
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    quarter = int(found.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return Period(f"{year}-Q{quarter}", start, date.fromordinal(end.toordinal() - 1))
