"""One row of the case-management system's decision export (政务处分, 党纪处分, 组织处理/问责,
open 立案审查调查) to a record in the hub's vocabulary. Pure: values in, values out.

The category decides what a kind means: "警告" is WARNING under 政务处分 and PARTY_WARNING
under 党纪处分, so a kind is only ever read together with its category."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from connectors.base import SourceDataError, SourceRecord, source_record
from connectors.files import header_key

# Field → the headers that name it; the first is the one the export documents (README.md).
COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("决定文号", "处分决定文号"),
    "name": ("被处分人姓名", "姓名"),
    "id_number": ("公民身份号码", "身份证号码"),
    "agency": ("所在单位", "工作单位"),
    "agency_uscc": ("所在单位统一社会信用代码",),
    "post": ("职务",),
    "category": ("处分类别",),
    "kind": ("处分种类",),
    "probation": ("察看期限",),
    "decided": ("作出决定日期", "决定日期"),
    "approved": ("批准日期",),
    "opened": ("立案日期",),
    "closed": ("结案日期",),
    "summary": ("违纪违法事实摘要",),
    "basis": ("处分依据",),
    "status": ("决定状态",),
    "act_ref": ("同一违法行为编号",),
    "case_no": ("立案编号",),
}
# Without these the export is not the decision export; one date column is required too.
REQUIRED = ("ref", "name", "id_number", "category", "kind")
DATE_FIELDS = ("decided", "approved")

GOVERNMENT = "GOVERNMENT_SANCTION"
PARTY = "PARTY_DISCIPLINE"
ACCOUNTABILITY = "ACCOUNTABILITY"
INVESTIGATION = "INVESTIGATION_OPEN"

CATEGORIES = {
    "政务处分": GOVERNMENT,
    "党纪处分": PARTY,
    "组织处理": ACCOUNTABILITY,
    "问责": ACCOUNTABILITY,
    "组织处理/问责": ACCOUNTABILITY,
    "立案审查调查": INVESTIGATION,
    "立案审查调查未结案": INVESTIGATION,
} | {name: name for name in (GOVERNMENT, PARTY, ACCOUNTABILITY, INVESTIGATION)}

# Per category: the label a case system writes → SanctionKind name (hub/records/enums.py).
KINDS: dict[str, dict[str, str]] = {
    GOVERNMENT: {
        "警告": "WARNING",
        "记过": "DEMERIT",
        "记大过": "MAJOR_DEMERIT",
        "降级": "DEMOTION",
        "撤职": "REMOVAL",
        "开除": "EXPULSION",
        "开除公职": "EXPULSION",
    },
    PARTY: {
        "警告": "PARTY_WARNING",
        "党内警告": "PARTY_WARNING",
        "严重警告": "PARTY_SERIOUS_WARNING",
        "党内严重警告": "PARTY_SERIOUS_WARNING",
        "撤销党内职务": "PARTY_POST_REMOVAL",
        "留党察看一年": "PARTY_PROBATION_1Y",
        "留党察看二年": "PARTY_PROBATION_2Y",
        "开除党籍": "PARTY_EXPULSION",
    },
    ACCOUNTABILITY: {
        "诫勉": "ADMONISHMENT",
        "调整职务": "POST_ADJUSTMENT",
        "责令辞职": "ORDERED_RESIGNATION",
        "免职": "REMOVAL_FROM_POST",
        "降职": "POST_DEMOTION",
    },
}
PROBATION = "留党察看"
PROBATION_KINDS = {1: "PARTY_PROBATION_1Y", 2: "PARTY_PROBATION_2Y"}
_PROBATION_YEARS = {"一年": 1, "1年": 1, "12个月": 1, "二年": 2, "两年": 2, "2年": 2, "24个月": 2}

SERIOUS = frozenset(
    {"EXPULSION", "PARTY_EXPULSION", "REMOVAL", "PARTY_PROBATION_1Y", "PARTY_PROBATION_2Y"}
)
MINOR = frozenset({"WARNING", "PARTY_WARNING", "ADMONISHMENT"})

STATUSES = {
    "有效": "ACTIVE",
    "已撤销": "REVOKED",
    "撤销": "REVOKED",
    "已变更": "CORRECTED",
    "变更": "CORRECTED",
    "已更正": "CORRECTED",
} | {name: name for name in ("ACTIVE", "REVOKED", "CORRECTED")}


def map_decision(raw: Mapping[str, Any]) -> SourceRecord:
    """The record one exported row states; SourceDataError names the column it cannot read."""
    values = pick(raw)
    category = _category(values)
    if category == INVESTIGATION:
        return _investigation(values)
    kind = _kind(category, values)
    decided = values.get("approved") or values.get("decided")
    if decided is None:
        raise SourceDataError(
            f"missing: give {header('decided')} (or {header('approved')} for 党纪处分, "
            "whose periods run from approval)",
            field=header("decided"),
        )
    record = _subject_and_texts(values, _required(values, "ref"))
    record |= {
        "category": category,
        "sanction_kind": kind,
        "severity": severity(kind),
        "decided_at": decided,
        "status": _status(values),
        "detail": _detail(values),
    }
    return source_record(_without_empty(record))


def severity(kind: str) -> str:
    if kind in SERIOUS:
        return "SERIOUS"
    return "MINOR" if kind in MINOR else "GENERAL"


# Each field's headers, folded once rather than for every field of every row.
_ALIAS_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (field, tuple(header_key(alias) for alias in aliases)) for field, aliases in COLUMNS.items()
)


def pick(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Field → cell value, by any of the field's headers; empty cells are left out and dates
    become ISO text (a record must be JSON)."""
    cells = {header_key(name): value for name, value in raw.items()}
    values: dict[str, Any] = {}
    for field, keys in _ALIAS_KEYS:
        for key in keys:
            value = _plain(cells.get(key), field)
            if value is not None:
                values[field] = value
                break
    return values


def header(field: str) -> str:
    return COLUMNS[field][0]


def _category(values: dict[str, Any]) -> str:
    text = _folded(_required(values, "category"))
    if text not in CATEGORIES:
        known = "、".join(label for label in CATEGORIES if not label.isascii())
        raise SourceDataError(
            f"unknown 处分类别 {text!r}; known: {known}", field=header("category")
        )
    return CATEGORIES[text]


def _kind(category: str, values: dict[str, Any]) -> str:
    text = _folded(_required(values, "kind"))
    kinds = KINDS[category]
    if category == PARTY and text.startswith(PROBATION):
        text = _probation(text, values)
    if text in kinds:
        return kinds[text]
    if text in kinds.values():
        return text
    known = "、".join(kinds)
    if category == PARTY:
        known += f"、{PROBATION}(with {header('probation')})"
    raise SourceDataError(
        f"unknown {header('kind')} {text!r} for {category}; known: {known}", field=header("kind")
    )


def _probation(text: str, values: dict[str, Any]) -> str:
    """留党察看 carries its length in the kind or in 察看期限; where both are given they agree."""
    in_kind = _PROBATION_YEARS.get(text.removeprefix(PROBATION)) if text != PROBATION else None
    given = values.get("probation")
    in_column = _PROBATION_YEARS.get(_folded(given)) if given is not None else None
    if given is not None and in_column is None:
        raise SourceDataError(
            f"{header('probation')} {given!r} is not 一年 or 二年 (留党察看 lasts 1 or 2 years)",
            field=header("probation"),
        )
    if in_kind and in_column and in_kind != in_column:
        raise SourceDataError(
            f"{header('kind')} {text!r} and {header('probation')} {given!r} disagree",
            field=header("probation"),
        )
    years = in_kind or in_column
    if years is None:
        raise SourceDataError(
            f"留党察看 needs its length: give {header('probation')} (一年 or 二年)",
            field=header("probation"),
        )
    return PROBATION_KINDS[years]


def _investigation(values: dict[str, Any]) -> SourceRecord:
    """An open 立案审查调查: no kind yet; it stops counting on 结案日期."""
    if values.get("kind") is not None:
        raise SourceDataError(
            f"an open 立案审查调查 has no {header('kind')}; a decided case is a 处分 row",
            field=header("kind"),
        )
    ref = values.get("ref") or values.get("case_no")
    if ref is None:
        raise SourceDataError(
            f"missing: give {header('ref')} or {header('case_no')}", field=header("ref")
        )
    opened = values.get("opened") or values.get("decided") or values.get("approved")
    if opened is None:
        raise SourceDataError(f"missing: give {header('opened')}", field=header("opened"))
    record = _subject_and_texts(values, ref) | {
        "category": INVESTIGATION,
        "severity": "GENERAL",
        "decided_at": opened,
        "effective_until": values.get("closed"),
        "status": _status(values),
        "detail": _detail(values),
    }
    return source_record(_without_empty(record))


def _subject_and_texts(values: dict[str, Any], ref: str) -> dict[str, Any]:
    return {
        "source_ref": ref,
        "subject_id_number": _required(values, "id_number"),
        "subject_name": values.get("name"),
        "summary": values.get("summary"),
        "legal_basis": values.get("basis"),
    }


def _status(values: dict[str, Any]) -> str:
    given = values.get("status")
    if given is None:
        return "ACTIVE"
    text = _folded(given)
    if text not in STATUSES:
        known = "、".join(label for label in STATUSES if not label.isascii())
        raise SourceDataError(
            f"unknown {header('status')} {given!r}; known: {known}", field=header("status")
        )
    return STATUSES[text]


def _detail(values: dict[str, Any]) -> dict[str, Any]:
    # actRef lets the hub count one act once when 监察机关 and 任免机关 both sanction it
    # (政务处分法 Art. 16); both dates are kept because periods differ in where they start.
    detail = {
        "agency": values.get("agency"),
        "agencyUscc": values.get("agency_uscc"),
        "post": values.get("post"),
        "actRef": values.get("act_ref"),
        "caseNumber": values.get("case_no"),
        "decidedOn": values.get("decided"),
        "approvedOn": values.get("approved"),
        "openedOn": values.get("opened"),
        "closedOn": values.get("closed"),
    }
    return _without_empty(detail)


def _required(values: dict[str, Any], field: str) -> str:
    value = values.get(field)
    if value is None:
        raise SourceDataError(f"missing: {header(field)} is required", field=header(field))
    return str(value)


def _plain(value: object, field: str) -> Any:
    """A cell as text the hub reads: None when empty, dates as ISO, whole numbers as digits."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # A spreadsheet that stores an 18-digit ID number as a number keeps only 15 digits.
        if field == "id_number" or not value.is_integer():
            raise SourceDataError(
                f"{header(field)} is stored as a number ({value!r}); digits may be lost — "
                "format the column as text and export again",
                field=header(field),
            )
        return str(int(value))
    text = str(value).strip()
    return text or None


def _folded(value: object) -> str:
    # Case systems write "留党察看 二年", "党内警告 " or full-width forms; compare without them.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _without_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
