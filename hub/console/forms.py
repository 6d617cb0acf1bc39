"""Reading the fields the check and the screening forms share. Each problem names the form
field it is about, in Chinese, so the page shows it next to that field."""

from __future__ import annotations

from datetime import date

from hub import clock
from hub.checks.purposes import Purpose
from hub.checks.service import MAX_REFERENCE
from hub.console.pages import View
from hub.errors import InvalidInput


def purposes_for(view: View) -> list[Purpose]:
    """The purposes the officer's roles allow, in the order of the list."""
    return [p for p in Purpose if view.actor.has(p.scope)]


def purpose(view: View, purposes: list[Purpose]) -> Purpose:
    chosen = view.value("purpose")
    found = next((p for p in purposes if p.value == chosen), None)
    if found is None:
        raise InvalidInput("choose a purpose", field="purpose", zh="请选择核查用途")
    return found


def reference(view: View) -> str:
    text = view.value("reference")
    if not text:
        raise InvalidInput(
            "a reference is required",
            field="reference",
            zh="请填写依据文件，如招录公告号或评选批次（2026年度评优第1批）",
        )
    if len(text) > MAX_REFERENCE:
        raise InvalidInput(
            "too long", field="reference", zh=f"依据文件不能超过 {MAX_REFERENCE} 个字符"
        )
    return text


def as_of(view: View) -> date:
    text = view.value("asOf")
    if not text:
        return clock.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("not a date", field="asOf", zh="核查基准日格式应为 年-月-日") from exc


def appraisal_year(view: View, chosen: Purpose) -> int | None:
    """The 考核年度 typed, for APPRAISAL only (another purpose ignores the field)."""
    text = view.value("appraisalYear")
    if not text:
        return None
    if not text.isdigit() or not 1950 <= int(text) <= 2199:
        raise InvalidInput("not a year", field="appraisalYear", zh="考核年度应为四位年份")
    return int(text) if chosen is Purpose.APPRAISAL else None
