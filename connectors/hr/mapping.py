"""Rows of the HR system (公务员管理信息系统) to records: 年度考核 results, 录用违规违纪
decisions, 辞退 decisions — and roster rows, which are not records. Pure.

The same row can come from the SQL view (snake_case columns) or from a CSV export (Chinese
headers); every field is looked up under both, so one mapping serves both sources."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from connectors.base import RosterEntry, SourceDataError, SourceRecord, source_record
from connectors.files import header_key

APPRAISALS = "appraisals"
EXAM_MISCONDUCT = "exam_misconduct"
DISMISSALS = "dismissals"
ROSTER = "roster"

# Field (the SQL view's column) → the CSV headers that name it.
ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("记录编号",),
    "decision_ref": ("处理决定文号", "辞退决定文号", "决定文号"),
    "id_number": ("公民身份号码", "身份证号码"),
    "name": ("姓名",),
    "agency": ("所在单位", "工作单位"),
    "agency_uscc": ("所在单位统一社会信用代码", "单位统一社会信用代码"),
    "post": ("职务",),
    "status": ("人员状态",),
    "year": ("考核年度",),
    "grade": ("考核等次", "考核结果"),
    "decided_at": ("考核结果确定日期", "处理决定日期", "辞退决定日期", "决定日期"),
    "exam": ("考试名称",),
    "behaviour": ("违规违纪行为",),
    "outcome": ("处理结果",),
    "reason": ("辞退原因",),
    "legal_basis": ("处理依据", "辞退依据"),
    "updated_at": ("更新时间",),
}

# Per stream: field → the CSV header documented for it (README.md); the first is the key.
COLUMNS: dict[str, dict[str, str]] = {
    APPRAISALS: {
        "record_id": "记录编号",
        "id_number": "公民身份号码",
        "name": "姓名",
        "agency": "所在单位",
        "agency_uscc": "所在单位统一社会信用代码",
        "post": "职务",
        "year": "考核年度",
        "grade": "考核等次",
        "decided_at": "考核结果确定日期",
        "updated_at": "更新时间",
    },
    EXAM_MISCONDUCT: {
        "decision_ref": "处理决定文号",
        "id_number": "公民身份号码",
        "name": "姓名",
        "exam": "考试名称",
        "behaviour": "违规违纪行为",
        "outcome": "处理结果",
        "decided_at": "处理决定日期",
        "legal_basis": "处理依据",
        "updated_at": "更新时间",
    },
    DISMISSALS: {
        "decision_ref": "辞退决定文号",
        "id_number": "公民身份号码",
        "name": "姓名",
        "agency": "所在单位",
        "agency_uscc": "所在单位统一社会信用代码",
        "post": "职务",
        "reason": "辞退原因",
        "decided_at": "辞退决定日期",
        "legal_basis": "辞退依据",
        "updated_at": "更新时间",
    },
    ROSTER: {
        "id_number": "公民身份号码",
        "name": "姓名",
        "agency": "所在单位",
        "agency_uscc": "所在单位统一社会信用代码",
        "post": "职务",
        "status": "人员状态",
        "updated_at": "更新时间",
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    APPRAISALS: ("record_id", "id_number", "year", "grade"),
    EXAM_MISCONDUCT: ("decision_ref", "id_number", "outcome", "decided_at"),
    DISMISSALS: ("decision_ref", "id_number", "decided_at"),
    ROSTER: ("id_number", "name", "agency_uscc", "status"),
}

GRADES = ("优秀", "称职", "基本称职", "不称职", "不定等次")
_GRADE_ALIASES = {"不确定等次": "不定等次", "未定等次": "不定等次"}
# 公务员录用违规违纪行为处理办法: 5-year restriction, or lifetime (the 2016 text says 长期).
_BAN_NAMES = {
    "BAN_5Y": "BAN_5Y",
    "BAN_LIFE": "BAN_LIFE",
    "五年内限制报考": "BAN_5Y",
    "终身限制报考": "BAN_LIFE",
}
_LIFE_WORDS = ("终身", "长期")
_FIVE_YEAR_WORDS = ("五年", "5年")


def key_field(stream: str) -> str:
    return next(iter(COLUMNS[stream]))


def label(stream: str, field: str) -> str:
    """How a message names a column: its CSV header and its SQL name."""
    return f"{COLUMNS[stream].get(field, ALIASES[field][0])}/{field}"


# Each field's headers, folded once rather than for every field of every row.
_ALIAS_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (field, tuple(header_key(name) for name in (field, *aliases)))
    for field, aliases in ALIASES.items()
)


def pick(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Field → value under the SQL name or any CSV header; empty cells are left out."""
    cells = {header_key(name): value for name, value in raw.items()}
    values: dict[str, Any] = {}
    for field, keys in _ALIAS_KEYS:
        for key in keys:
            value = _plain(cells.get(key))
            if value is not None:
                values[field] = value
                break
    return values


def map_appraisal(raw: Mapping[str, Any]) -> SourceRecord:
    values = pick(raw)
    ref = _required(values, APPRAISALS, "record_id")
    year = _year(values)
    grade = _grade(values)
    summary = (
        f"{year}年度考核不定等次。"
        if grade == "不定等次"
        else f"{year}年度考核被确定为{grade}等次。"
    )
    return source_record(
        _without_empty(
            {
                "source_ref": ref,
                "category": "APPRAISAL_RESULT",
                # Only 不称职 weighs; the others are kept so that a year is known to be graded.
                "severity": "GENERAL" if grade == "不称职" else "MINOR",
                **_subject(values, APPRAISALS),
                "decided_at": values.get("decided_at") or f"{year}-12-31",
                "summary": summary,
                "detail": _without_empty({"year": year, "grade": grade, **_employer(values)}),
            }
        )
    )


def map_exam_misconduct(raw: Mapping[str, Any]) -> SourceRecord:
    values = pick(raw)
    ref = _required(values, EXAM_MISCONDUCT, "decision_ref")
    kind = ban_kind(_required(values, EXAM_MISCONDUCT, "outcome"))
    detail = {"exam": values.get("exam"), "outcome": values.get("outcome")}
    return source_record(
        _without_empty(
            {
                "source_ref": ref,
                "category": "EXAM_MISCONDUCT",
                "sanction_kind": kind,
                "severity": "SERIOUS" if kind == "BAN_LIFE" else "GENERAL",
                **_subject(values, EXAM_MISCONDUCT),
                "decided_at": _required(values, EXAM_MISCONDUCT, "decided_at"),
                "summary": values.get("behaviour") or values.get("outcome"),
                "legal_basis": values.get("legal_basis"),
                "detail": _without_empty(detail),
            }
        )
    )


def map_dismissal(raw: Mapping[str, Any]) -> SourceRecord:
    values = pick(raw)
    ref = _required(values, DISMISSALS, "decision_ref")
    reason = values.get("reason")
    return source_record(
        _without_empty(
            {
                "source_ref": ref,
                "category": "DISMISSAL",
                "severity": "GENERAL",
                **_subject(values, DISMISSALS),
                "decided_at": _required(values, DISMISSALS, "decided_at"),
                "summary": f"因{reason}被予以辞退。" if reason else None,
                "legal_basis": values.get("legal_basis"),
                "detail": _without_empty({**_employer(values), "reason": reason}) or None,
            }
        )
    )


def map_roster(raw: Mapping[str, Any]) -> RosterEntry:
    """Not a credit record: who works where, for the hub to register the person's employer."""
    values = pick(raw)
    return {
        "roster": True,
        "subject_id_number": _required(values, ROSTER, "id_number"),
        # The hub registers the person under this name: a roster row without one is useless.
        "subject_name": _required(values, ROSTER, "name"),
        "agency_uscc": _required(values, ROSTER, "agency_uscc"),
        "post": values.get("post"),
        "status": _required(values, ROSTER, "status"),
        "updated_at": values.get("updated_at"),
    }


MAPPINGS: dict[str, Callable[[Mapping[str, Any]], SourceRecord | RosterEntry]] = {
    APPRAISALS: map_appraisal,
    EXAM_MISCONDUCT: map_exam_misconduct,
    DISMISSALS: map_dismissal,
    ROSTER: map_roster,
}


def ban_kind(outcome: str) -> str:
    """BAN_5Y or BAN_LIFE from the 处理结果 as written: "五年内不得报考", "终身不得报考"."""
    text = _folded(outcome)
    if text in _BAN_NAMES:
        return _BAN_NAMES[text]
    life = any(word in text for word in _LIFE_WORDS)
    five = any(word in text for word in _FIVE_YEAR_WORDS)
    if life != five:
        return "BAN_LIFE" if life else "BAN_5Y"
    why = "names both a 5-year and a lifetime restriction" if life else "names no restriction"
    raise SourceDataError(
        f"{label(EXAM_MISCONDUCT, 'outcome')} {outcome!r} {why}; write 五年内不得报考 (BAN_5Y) "
        "or 终身不得报考 (BAN_LIFE)",
        field=label(EXAM_MISCONDUCT, "outcome"),
    )


def _grade(values: dict[str, Any]) -> str:
    given = _required(values, APPRAISALS, "grade")
    text = _folded(given)
    text = _GRADE_ALIASES.get(text, text)
    if text not in GRADES:
        text = text.removesuffix("等次")  # "优秀等次"
    if text not in GRADES:
        raise SourceDataError(
            f"unknown {label(APPRAISALS, 'grade')} {given!r}; known: {'、'.join(GRADES)}",
            field=label(APPRAISALS, "grade"),
        )
    return text


def _year(values: dict[str, Any]) -> int:
    given = _required(values, APPRAISALS, "year")
    match = re.fullmatch(r"(\d{4})(?:年度?)?", _folded(given))
    if match is None:
        raise SourceDataError(
            f"{label(APPRAISALS, 'year')} {given!r} is not a year such as 2024",
            field=label(APPRAISALS, "year"),
        )
    return int(match[1])


def _subject(values: dict[str, Any], stream: str) -> dict[str, Any]:
    return {
        "subject_id_number": _required(values, stream, "id_number"),
        "subject_name": values.get("name"),
    }


def _employer(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "agency": values.get("agency"),
        "agencyUscc": values.get("agency_uscc"),
        "post": values.get("post"),
    }


def _required(values: dict[str, Any], stream: str, field: str) -> str:
    value = values.get(field)
    if value is None:
        raise SourceDataError(
            f"missing: {label(stream, field)} is required", field=label(stream, field)
        )
    return str(value)


def _plain(value: object) -> Any:
    """Text as the hub reads it: None when empty, dates as ISO, whole numbers as digits."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _folded(text: str) -> str:
    # Exports write "基本 称职", full-width digits or "2024年度"; compare without them.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _without_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
