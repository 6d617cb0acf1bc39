"""The HR system's rows to records (and roster rows): grades, bans, dismissals; the same
mapping for SQL column names and for Chinese CSV headers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from connectors.base import RECORD_FIELDS, SourceDataError
from connectors.hr.mapping import (
    ban_kind,
    map_appraisal,
    map_dismissal,
    map_exam_misconduct,
    map_roster,
)
from hub.ingest.normalize import Normalised, normalise
from hub.records.drafts import ValidRecord, validate_draft

PERSON = "11010519491231002X"
AGENCY = "11360000MB0000000K"


def appraisal(**cells: Any) -> dict[str, Any]:
    row = {
        "record_id": "KH-2024-000017",
        "id_number": PERSON,
        "name": "李四",
        "agency": "某县财政局",
        "agency_uscc": AGENCY,
        "post": "科员",
        "year": 2024,
        "grade": "基本称职",
        "decided_at": date(2025, 1, 20),
        "updated_at": datetime(2025, 1, 21, 9, 30),
    }
    return row | cells


def exam(**cells: Any) -> dict[str, Any]:
    row = {
        "处理决定文号": "赣人社考〔2025〕3号",
        "公民身份号码": PERSON,
        "姓名": "王五",
        "考试名称": "2024年江西省考试录用公务员",
        "违规违纪行为": "使用禁止带入考场的通讯工具",
        "处理结果": "给予其当次全部科目考试成绩无效，五年内不得报考公务员",
        "处理决定日期": "2025-02-11",
        "处理依据": "《公务员录用违规违纪行为处理办法》第八条",
    }
    return row | cells


def dismissal(**cells: Any) -> dict[str, Any]:
    row = {
        "decision_ref": "赣公辞〔2025〕2号",
        "id_number": PERSON,
        "name": "赵六",
        "agency": "某县财政局",
        "agency_uscc": AGENCY,
        "post": "科员",
        "reason": "连续旷工超过十五天",
        "decided_at": "2025-04-01",
        "legal_basis": "《中华人民共和国公务员法》第八十八条",
    }
    return row | cells


def problem(mapping: Any, row: dict[str, Any]) -> SourceDataError:
    with pytest.raises(SourceDataError) as caught:
        mapping(row)
    return caught.value


def test_an_appraisal_result() -> None:
    record = map_appraisal(appraisal())
    assert record == {
        "source_ref": "KH-2024-000017",
        "category": "APPRAISAL_RESULT",
        "severity": "MINOR",
        "subject_id_number": PERSON,
        "subject_name": "李四",
        "decided_at": "2025-01-20",
        "summary": "2024年度考核被确定为基本称职等次。",
        "detail": {
            "year": 2024,
            "grade": "基本称职",
            "agency": "某县财政局",
            "agencyUscc": AGENCY,
            "post": "科员",
        },
    }
    assert set(record) <= RECORD_FIELDS


def test_sql_columns_and_csv_headers_map_alike() -> None:
    chinese = {
        "记录编号": "KH-2024-000017",
        "公民身份号码": PERSON,
        "姓名": "李四",
        "所在单位": "某县财政局",
        "所在单位统一社会信用代码": AGENCY,
        "职务": "科员",
        "考核年度": "2024年度",
        "考核等次": "基本 称职",
        "考核结果确定日期": "2025-01-20",
    }
    assert map_appraisal(chinese) == map_appraisal(appraisal())


@pytest.mark.parametrize(
    ("grade", "expected", "severity"),
    [
        ("优秀", "优秀", "MINOR"),
        ("称职等次", "称职", "MINOR"),
        ("不称职", "不称职", "GENERAL"),
        ("不确定等次", "不定等次", "MINOR"),
        ("不定等次", "不定等次", "MINOR"),
    ],
)
def test_grades(grade: str, expected: str, severity: str) -> None:
    record = map_appraisal(appraisal(grade=grade))
    assert (record["detail"]["grade"], record["severity"]) == (expected, severity)


def test_an_ungraded_year_reads_so() -> None:
    assert map_appraisal(appraisal(grade="不定等次"))["summary"] == "2024年度考核不定等次。"


def test_without_a_decision_date_the_year_end_is_used() -> None:
    assert map_appraisal(appraisal(decided_at=None))["decided_at"] == "2024-12-31"


def test_an_unknown_grade_lists_the_known_ones() -> None:
    error = problem(map_appraisal, appraisal(grade="良好"))
    assert error.field == "考核等次/grade"
    assert "优秀、称职、基本称职、不称职、不定等次" in error.message


@pytest.mark.parametrize("year", ["24", "二〇二四", "2024-01-01"])
def test_a_year_that_is_not_a_year_is_a_problem(year: str) -> None:
    assert problem(map_appraisal, appraisal(year=year)).field == "考核年度/year"


@pytest.mark.parametrize(
    ("outcome", "kind"),
    [
        ("给予其当次全部科目考试成绩无效，五年内不得报考公务员", "BAN_5Y"),
        ("5年内不得报考", "BAN_5Y"),
        ("终身不得报考公务员", "BAN_LIFE"),
        ("长期不得报考公务员", "BAN_LIFE"),
        ("终身限制报考", "BAN_LIFE"),
        ("BAN_5Y", "BAN_5Y"),
    ],
)
def test_ban_kinds_from_the_outcome_text(outcome: str, kind: str) -> None:
    assert ban_kind(outcome) == kind


@pytest.mark.parametrize("outcome", ["取消本次考试资格", "五年内不得报考，情节严重的终身不得报考"])
def test_an_outcome_without_one_clear_ban_is_a_problem(outcome: str) -> None:
    error = problem(map_exam_misconduct, exam(处理结果=outcome))
    assert error.field == "处理结果/outcome"
    assert "五年内不得报考 (BAN_5Y)" in error.message


def test_an_exam_misconduct_decision() -> None:
    record = map_exam_misconduct(exam(处理结果="终身不得报考公务员"))
    assert record["category"] == "EXAM_MISCONDUCT"
    assert (record["sanction_kind"], record["severity"]) == ("BAN_LIFE", "SERIOUS")
    assert record["source_ref"] == "赣人社考〔2025〕3号"
    assert record["summary"] == "使用禁止带入考场的通讯工具"
    assert record["detail"] == {
        "exam": "2024年江西省考试录用公务员",
        "outcome": "终身不得报考公务员",
    }


def test_a_dismissal() -> None:
    record = map_dismissal(dismissal())
    assert record["category"] == "DISMISSAL"
    assert record["summary"] == "因连续旷工超过十五天被予以辞退。"
    assert record["detail"]["reason"] == "连续旷工超过十五天"
    assert set(record) <= RECORD_FIELDS


@pytest.mark.parametrize(
    ("mapping", "row", "field"),
    [
        (map_appraisal, appraisal(record_id=None), "记录编号/record_id"),
        (map_appraisal, appraisal(id_number=" "), "公民身份号码/id_number"),
        (map_exam_misconduct, exam(处理决定日期=""), "处理决定日期/decided_at"),
        (map_dismissal, dismissal(decision_ref=None), "辞退决定文号/decision_ref"),
        (map_dismissal, dismissal(decided_at=None), "辞退决定日期/decided_at"),
    ],
)
def test_a_missing_required_value_names_its_column(
    mapping: Any, row: dict[str, Any], field: str
) -> None:
    assert problem(mapping, row).field == field


def test_a_roster_row_is_not_a_record() -> None:
    row = {
        "id_number": PERSON,
        "name": "李四",
        "agency": "某县财政局",
        "agency_uscc": AGENCY,
        "post": "科员",
        "status": "在职",
        "updated_at": datetime(2025, 1, 21, 9, 30),
    }
    assert map_roster(row) == {
        "roster": True,
        "subject_id_number": PERSON,
        "subject_name": "李四",
        "agency_uscc": AGENCY,
        "post": "科员",
        "status": "在职",
        "updated_at": "2025-01-21T09:30:00",
    }
    assert (
        problem(map_roster, row | {"agency_uscc": None}).field
        == "所在单位统一社会信用代码/agency_uscc"
    )


@pytest.mark.parametrize(
    "record",
    [
        map_appraisal(appraisal()),
        map_appraisal(appraisal(grade="不称职", decided_at=None)),
        map_exam_misconduct(exam()),
        map_exam_misconduct(exam(处理结果="终身不得报考")),
        map_dismissal(dismissal()),
    ],
)
def test_the_hub_accepts_the_records(record: dict[str, Any]) -> None:
    normalised = normalise(record)
    assert isinstance(normalised, Normalised), normalised
    assert isinstance(validate_draft(normalised.draft, today=date(2026, 1, 1)), ValidRecord)
