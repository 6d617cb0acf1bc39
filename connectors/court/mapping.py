"""From one raw court row to a record in the hub's vocabulary. Pure: values in, values out.

Two streams: `defaulters`, the public 失信被执行人 entries (若干规定, RULES.md §4), read by
their Chinese headers or by the keys of the public API (iname, cardNum, …); and `judgments`,
effective judgments that a government body lost and has not (fully) performed.

The mapping decides the category, the subject and the source_ref; dates and labels may stay
as the source wrote them (the hub parses them), except inside `detail`, where dates are ISO.
Masked ID numbers (`3423011964****3224`) pass through: matching them to a known person is the
hub's identity resolution, not ours.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from connectors.base import SourceDataError, SourceRecord, source_record
from connectors.files import header_key
from vocabulary.dates import NotADate, parse_date
from vocabulary.identifiers import (
    ID15_SHAPE,
    ID_SHAPE,
    birth_date,
    id_check_char,
    uscc_check_char,
)

# field → (the header as published, used in messages; then every alias, API key last)
Fields = Mapping[str, tuple[str, ...]]

DEFAULTER_FIELDS: Fields = {
    "iname": ("被执行人姓名/名称", "被执行人姓名", "被执行人名称", "iname"),
    "cardNum": ("身份证号码/组织机构代码", "身份证号码", "组织机构代码", "证件号码", "cardNum"),
    "businessEntity": ("法定代表人或者负责人姓名", "法定代表人", "负责人姓名", "businessEntity"),
    "sexy": ("性别", "sexy"),
    "age": ("年龄", "age"),
    "courtName": ("执行法院", "courtName"),
    "areaName": ("省份", "areaName"),
    "gistId": ("执行依据文号", "gistId"),
    "regDate": ("立案时间", "regDate"),
    "caseCode": ("案号", "caseCode"),
    "gistUnit": ("做出执行依据单位", "gistUnit"),
    "duty": ("生效法律文书确定的义务", "duty"),
    "performance": ("被执行人的履行情况", "履行情况", "performance"),
    "disruptTypeName": ("失信被执行人行为具体情形", "disruptTypeName"),
    "publishDate": ("发布时间", "publishDate"),
    # Not in the public listing: exports of deleted entries carry one or both.
    "listingState": ("状态", "名单状态", "listingState"),
    "removedDate": ("删除日期", "移除日期", "删除时间", "移除时间", "removedDate"),
}

JUDGMENT_FIELDS: Fields = {
    "caseCode": ("案号", "caseCode"),
    "defendant": ("被告机关名称", "被告机关", "败诉机关", "defendant"),
    "uscc": ("统一社会信用代码", "组织机构代码", "uscc"),
    "court": ("审理法院", "court"),
    "judgmentDate": ("判决日期", "裁判日期", "judgmentDate"),
    "effectiveDate": ("生效日期", "effectiveDate"),
    "cause": ("案由", "cause"),
    "outcome": ("判决结果", "outcome"),
    "orders": ("判决主文", "判项", "orders"),
    "amount": ("判决金额", "判决金额（元）", "amount"),
    "performance": ("履行情况", "performance"),
    "performedDate": ("履行日期", "performedDate"),
    "legalBasis": ("法律依据", "legalBasis"),
}

# Without these a file cannot be this stream; each tuple is "one of these".
DEFAULTER_REQUIRED = (("caseCode",), ("iname",), ("cardNum",), ("publishDate", "regDate"))
JUDGMENT_REQUIRED = (
    ("caseCode",),
    ("defendant",),
    ("uscc",),
    ("performance",),
    ("effectiveDate", "judgmentDate"),
)

DEFAULTER_BASIS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条"
# A 行政机关 refusing to perform an administrative judgment; civil cases have no one article.
ADMINISTRATIVE_JUDGMENT_BASIS = "《中华人民共和国行政诉讼法》第九十六条"

# Grounds (二)–(三) of 若干规定 Art. 1: obstructing execution by force, threats or forged
# evidence; evading it by false litigation or hiding assets. These listings are SERIOUS.
SERIOUS_GROUNDS = ("暴力", "威胁", "伪造证据", "妨碍、抗拒执行", "虚假诉讼", "虚假仲裁", "转移财产")
# Exact values: "全部未履行" contains "履行" and must stay an open listing.
PERFORMED = frozenset({"全部履行", "已履行", "已全部履行", "履行完毕"})
UNPERFORMED = frozenset({"未履行", "全部未履行", "部分履行", "部分未履行", "拒不履行"})
# 状态 values: a deleted entry ended the listing (Art. 10); a revoked one was never right.
REMOVED_STATES = frozenset({"删除", "已删除", "移除", "已移除", "屏蔽", "已屏蔽"})
REVOKED_STATES = frozenset({"撤销", "已撤销"})
LISTED_STATES = frozenset({"", "有效", "正常", "在列", "公布中", "已发布"})
ADULT_AGE = 18
SUMMARY_DUTY_CHARS = 200
DETAIL_TEXT_CHARS = 4000  # the hub refuses a detail over 16 KB

_ORG_CODE_HYPHENATED = re.compile(r"^[0-9A-Z]{8}-[0-9A-Z]$")
_ADMINISTRATIVE_CASE = re.compile(r"(?<!执)行[初终申再赔审监]")


# -- reading a raw row by field name --------------------------------------------------------


class FieldIndex:
    """Finds each field in a raw row, whichever alias (Chinese header, API key) the source
    used. A file repeats its headers on every row, so each header set is resolved once."""

    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self._by_key = {
            header_key(alias): name for name, aliases in fields.items() for alias in aliases
        }
        self._plans: dict[tuple[Any, ...], tuple[tuple[Any, str], ...]] = {}

    def names(self, headers: Iterable[Any]) -> tuple[tuple[Any, str], ...]:
        """(header, field) for each header that names a field, in the row's order."""
        headers = tuple(headers)
        plan = self._plans.get(headers)
        if plan is None:
            if len(self._plans) > 256:  # JSON Lines objects may each have other keys
                self._plans.clear()
            plan = tuple((h, name) for h in headers if (name := self._by_key.get(header_key(h))))
            self._plans[headers] = plan
        return plan

    def row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The row keyed by field; of two aliases present, the first one filled wins. A JSON
        Lines line that could not be read arrives as {"_line", "_error"}: a row problem."""
        if "_error" in raw and "_line" in raw:
            raise SourceDataError(str(raw["_error"]), field="row")
        row: dict[str, Any] = {}
        for header, name in self.names(raw):
            if name not in row or row[name] in (None, ""):
                row[name] = raw[header]
        return row

    def missing(self, headers: Iterable[Any], required: tuple[tuple[str, ...], ...]) -> list[str]:
        """The required fields (as published headers) that none of `headers` names."""
        found = {name for _, name in self.names(headers)}
        return [
            "/".join(self.fields[name][0] for name in one_of)
            for one_of in required
            if not any(name in found for name in one_of)
        ]


DEFAULTERS = FieldIndex(DEFAULTER_FIELDS)
JUDGMENTS = FieldIndex(JUDGMENT_FIELDS)


# -- 失信被执行人 -------------------------------------------------------------------------------


def defaulter_record(raw: Mapping[str, Any]) -> SourceRecord:
    row = DEFAULTERS.row(raw)
    case_code = _case_code(row, DEFAULTER_FIELDS)
    subject = _defaulter_subject(row)
    # The public API gives an organization the age 0: only a person's age means anything.
    age = _age(row.get("age")) if "subject_id_number" in subject else None
    if age is not None and age < ADULT_AGE:
        raise SourceDataError(
            f"年龄 {age}: minors are never listed as 失信被执行人 (若干规定 第四条); "
            "the source must correct or delete this entry",
            field="年龄",
        )
    decided = _folded(row.get("publishDate")) or _folded(row.get("regDate"))
    if not decided:
        raise SourceDataError("missing: 发布时间 (or 立案时间) dates the listing", field="发布时间")
    situation = _text(row.get("disruptTypeName"))
    duty = _text(row.get("duty"))
    # One enforcement case often lists several debtors under one 案号: each listing is keyed
    # by the case and the debtor's number as the public listing prints it, or a co-debtor
    # would overwrite it. A person's number is masked so even when the export has it in clear:
    # source_ref is stored, shown and logged as it is, and a clear and a masked export of one
    # listing then key the same record.
    person = subject.get("subject_id_number")
    debtor = as_published(person) if person else subject["subject_uscc"]
    record = {
        "source_ref": f"{case_code}/{debtor}",
        "category": "JUDGMENT_DEFAULTER",
        "severity": "SERIOUS" if any(g in situation for g in SERIOUS_GROUNDS) else "GENERAL",
        **subject,
        "decided_at": decided,
        "summary": _summary(situation, duty and "义务：" + _truncate(duty, SUMMARY_DUTY_CHARS)),
        "legal_basis": DEFAULTER_BASIS,
        "detail": {
            "caseCode": case_code,
            "courtName": _text(row.get("courtName")) or None,
            "areaName": _text(row.get("areaName")) or None,
            "gistId": _text(row.get("gistId")) or None,
            "regDate": _iso_date(row.get("regDate"), "立案时间"),
            "gistUnit": _text(row.get("gistUnit")) or None,
            "duty": _truncate(duty, DETAIL_TEXT_CHARS) or None,
            "performance": _text(row.get("performance")) or None,
            "disruptTypeName": situation or None,
            "businessEntity": _text(row.get("businessEntity")) or None,
            "sex": _text(row.get("sexy")) or None,
            "age": age,
        },
    }
    return source_record(record | _listing_status(row, decided))


def _defaulter_subject(row: Mapping[str, Any]) -> dict[str, str]:
    name = _required(row, "iname", DEFAULTER_FIELDS)
    number = _identifier(row.get("cardNum"), "身份证号码/组织机构代码")
    if not number:
        raise SourceDataError(
            "missing: the 身份证号码 or 组织机构代码 identifies whom the entry lists",
            field="身份证号码/组织机构代码",
        )
    # A 法定代表人或者负责人 is named only for an organization (a government body among them).
    if _text(row.get("businessEntity")) or not looks_like_person(number):
        return {"subject_name": name, "subject_uscc": _organization_code(number)}
    return {"subject_name": name, "subject_id_number": number}


def _listing_status(row: Mapping[str, Any], decided: str) -> dict[str, Any]:
    state = _folded(row.get("listingState"))
    performed = _folded(row.get("performance")) in PERFORMED
    if state not in LISTED_STATES | REMOVED_STATES | REVOKED_STATES:
        known = "、".join(sorted(REMOVED_STATES | REVOKED_STATES | (LISTED_STATES - {""})))
        raise SourceDataError(f"unknown 状态 {state!r}; known: {known}", field="状态")
    if state in REVOKED_STATES:
        return {"status": "REVOKED"}
    if state in REMOVED_STATES or performed:
        # The listing ended; the entry is kept as history (若干规定 第十条).
        until = _folded(row.get("removedDate")) or decided
        return {"status": "EXPIRED", "effective_until": until}
    return {"status": "ACTIVE"}


def _age(value: Any) -> int | None:
    text = _folded(value).removesuffix("岁").removesuffix(".0")
    if not text:
        return None
    if not text.isdecimal():
        raise SourceDataError(f"年龄 {text!r} is not a whole number of years", field="年龄")
    return int(text)


# -- judgments against government bodies ------------------------------------------------------


def judgment_record(raw: Mapping[str, Any]) -> SourceRecord:
    row = JUDGMENTS.row(raw)
    case_code = _case_code(row, JUDGMENT_FIELDS)
    name = _required(row, "defendant", JUDGMENT_FIELDS)
    uscc = _identifier(row.get("uscc"), "统一社会信用代码")
    if not uscc:
        raise SourceDataError("missing: the 统一社会信用代码 of the body", field="统一社会信用代码")
    outcome = _folded(row.get("outcome"))
    if outcome == "胜诉":
        raise SourceDataError(
            "判决结果 胜诉: a judgment the body won is no 政务失信 record", field="判决结果"
        )
    decided = _folded(row.get("effectiveDate")) or _folded(row.get("judgmentDate"))
    if not decided:
        raise SourceDataError("missing: 生效日期 (or 判决日期)", field="生效日期")
    performance = _folded(row.get("performance"))
    cause, orders = _text(row.get("cause")), _text(row.get("orders"))
    record = {
        "source_ref": case_code,
        "category": "COURT_JUDGMENT",
        "severity": "GENERAL",
        "subject_name": name,
        "subject_uscc": _organization_code(uscc),
        "decided_at": decided,
        "summary": _summary(
            f"{cause or '生效裁判'}：{outcome or '败诉'}，{performance}",
            orders and "判项：" + _truncate(orders, SUMMARY_DUTY_CHARS),
        ),
        "legal_basis": _text(row.get("legalBasis"))
        or (ADMINISTRATIVE_JUDGMENT_BASIS if _ADMINISTRATIVE_CASE.search(case_code) else None),
        "detail": {
            "court": _text(row.get("court")) or None,
            "judgmentDate": _iso_date(row.get("judgmentDate"), "判决日期"),
            "effectiveDate": _iso_date(row.get("effectiveDate"), "生效日期"),
            "cause": cause or None,
            "outcome": outcome or None,
            "orders": _truncate(orders, DETAIL_TEXT_CHARS) or None,
            "amount": _text(row.get("amount")) or None,
            "performance": performance,
            "performedDate": _iso_date(row.get("performedDate"), "履行日期"),
        },
    }
    return source_record(record | _judgment_status(performance, row.get("performedDate")))


def _judgment_status(performance: str, performed_on: Any) -> dict[str, Any]:
    if performance in PERFORMED:
        return {"status": "EXPIRED", "effective_until": _folded(performed_on) or None}
    if performance in UNPERFORMED:
        return {"status": "ACTIVE"}
    known = "、".join(sorted(UNPERFORMED | PERFORMED))
    what = f"unknown 履行情况 {performance!r}" if performance else "missing: 履行情况"
    raise SourceDataError(f"{what}; use one of {known}", field="履行情况")


# -- identifiers ---------------------------------------------------------------------------------


def looks_like_person(number: str) -> bool:
    """A 居民身份证号码 by its shape: masked as published, or 18 characters whose 7th–14th are
    a birth date (15 digits with a yymmdd for the first-generation card). A numeric USCC can
    carry a date-like run too; then the check characters tell the two apart."""
    if "*" in number:
        return True
    if ID15_SHAPE.match(number):
        return birth_date("19" + number[6:12]) is not None
    if not (ID_SHAPE.match(number) and birth_date(number[6:14]) is not None):
        return False
    return id_check_char(number[:17]) == number[17] or uscc_check_char(number[:17]) != number[17]


def as_published(number: str) -> str:
    """`3423011964****3224`: the listing's mask, which hides the month and day of birth."""
    return number if "*" in number else number[:-8] + "****" + number[-4:]


def _identifier(value: Any, label: str) -> str:
    if isinstance(value, float):
        # Excel keeps 15 significant digits: the number as stored has lost some.
        raise SourceDataError(
            f"{label} is stored as a number in the spreadsheet and has lost digits; "
            "export the column as text",
            field=label,
        )
    return "".join(_folded(value).split()).upper()


def _organization_code(number: str) -> str:
    # 组织机构代码 is printed 12345678-9; the hub takes the 9 characters.
    return number.replace("-", "") if _ORG_CODE_HYPHENATED.match(number) else number


# -- text and dates --------------------------------------------------------------------------


def _text(value: Any) -> str:
    """Prose stays as written: NFKC would turn its ，：； into ASCII punctuation."""
    if type(value) is str:  # nearly every cell: the fast path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return _as_date(value).isoformat()  # a spreadsheet's date cell
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 30.0 for 30
    return str(value).strip()


def _folded(value: Any) -> str:
    """Codes, dates and labels compare without width: ２０１９年, ＊, Ｘ."""
    return unicodedata.normalize("NFKC", _text(value)).strip()


def _required(row: Mapping[str, Any], name: str, fields: Fields) -> str:
    text = _text(row.get(name))
    if not text:
        raise SourceDataError(f"missing: {fields[name][0]}", field=fields[name][0])
    return text


def _case_code(row: Mapping[str, Any], fields: Fields) -> str:
    """The 案号 as the courts print it, with full-width brackets (（2019）皖0104执1234号), so
    that two exports spelling it differently name one record."""
    folded = "".join(_folded(row.get("caseCode")).split())
    if not folded:
        raise SourceDataError(f"missing: {fields['caseCode'][0]}", field=fields["caseCode"][0])
    return folded.replace("(", "（").replace(")", "）")


def _iso_date(value: Any, label: str) -> str | None:
    try:
        day = parse_date(value)
    except NotADate:
        text = _folded(value)
        raise SourceDataError(
            f"{label} {text!r} is not a date (e.g. 20190709)", field=label
        ) from None
    return day.isoformat() if day else None


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary(*parts: str | None) -> str | None:
    return "；".join(p for p in parts if p) or None
