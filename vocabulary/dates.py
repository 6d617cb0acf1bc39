"""Dates as agencies write them: 2019-07-09, 20190709, 2019年07月09日, 2019/7/9, 2019.7.9,
full-width digits included, a time after the date ignored."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
)
EXAMPLES = "2019-07-09, 20190709 or 2019年07月09日"


class NotADate(ValueError):
    """The text is no date in any form agencies use, or an impossible one (2025-02-30)."""


def parse_date(value: object) -> date | None:
    """The date `value` names; None for an empty value. Raises NotADate."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = text.split(" ")[0].split("T")[0]  # "2019-07-09 00:00:00" from spreadsheets
    if not text:
        return None
    for form in _FORMS:
        match = form.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                raise NotADate(f"impossible date {text!r}") from None
    raise NotADate(f"not a date: {text!r} (use {EXAMPLES})")
