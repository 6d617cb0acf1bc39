"""The hub's calendar is China's: a decision dated today in Beijing is not "in the future"
on a server whose clock runs in UTC (00:00–08:00 China time would otherwise go wrong)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(CHINA).date()


def china_date(moment: datetime) -> date:
    """The day in China of an aware moment (a timestamp the database gave back in UTC)."""
    return moment.astimezone(CHINA).date()
