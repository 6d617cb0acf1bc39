"""The decision export's mapping: categories, kinds, severities, dates, status and the
problems a row can have. Pure: rows are dicts as the workbook gives them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from connectors.base import RECORD_FIELDS, SourceDataError
from connectors.discipline.mapping import KINDS, map_decision
from hub.ingest.normalize import Normalised, normalise
from hub.records.drafts import ValidRecord, validate_draft
from hub.records.enums import KINDS_BY_CATEGORY, RecordCategory, SanctionKind

PERSON = "11010519491231002X"


def decision(**cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "决定文号": "赣纪处〔2025〕12号",
        "被处分人姓名": "张三",
        "公民身份号码": PERSON,
        "所在单位": "某县财政局",
        "所在单位统一社会信用代码": "11360000MB1234567X",
        "职务": "副局长",
        "处分类别": "政务处分",
        "处分种类": "记过",
        "察看期限": None,
        "作出决定日期": "2025-03-01",
        "批准日期": None,
        "违纪违法事实摘要": "违规发放津贴补贴",
        "处分依据": "《中华人民共和国公职人员政务处分法》第三十二条",
        "决定状态": "有效",
        "同一违法行为编号": None,
        "立案编号": "赣纪立〔2024〕88号",
    }
    row.update(cells)
    return row


def problem(row: dict[str, Any]) -> SourceDataError:
    with pytest.raises(SourceDataError) as caught:
        map_decision(row)
    return caught.value


def test_a_government_sanction_maps_to_the_record_vocabulary() -> None:
    record = map_decision(decision())
    assert record == {
        "source_ref": "赣纪处〔2025〕12号",
        "category": "GOVERNMENT_SANCTION",
        "sanction_kind": "DEMERIT",
        "severity": "GENERAL",
        "subject_id_number": PERSON,
        "subject_name": "张三",
        "decided_at": "2025-03-01",
        "summary": "违规发放津贴补贴",
        "legal_basis": "《中华人民共和国公职人员政务处分法》第三十二条",
        "status": "ACTIVE",
        "detail": {
            "agency": "某县财政局",
            "agencyUscc": "11360000MB1234567X",
            "post": "副局长",
            "caseNumber": "赣纪立〔2024〕88号",
            "decidedOn": "2025-03-01",
        },
    }
    assert set(record) <= RECORD_FIELDS


@pytest.mark.parametrize(
    ("category", "expected"),
    [("政务处分", "WARNING"), ("党纪处分", "PARTY_WARNING")],
)
def test_the_category_decides_what_a_warning_is(category: str, expected: str) -> None:
    record = map_decision(decision(处分类别=category, 处分种类="警告"))
    assert record["sanction_kind"] == expected
    assert record["severity"] == "MINOR"


@pytest.mark.parametrize(
    ("category", "kind", "expected", "severity"),
    [
        ("政务处分", "记大过", "MAJOR_DEMERIT", "GENERAL"),
        ("政务处分", "降级", "DEMOTION", "GENERAL"),
        ("政务处分", "撤职", "REMOVAL", "SERIOUS"),
        ("政务处分", "开除", "EXPULSION", "SERIOUS"),
        ("政务处分", "开除公职", "EXPULSION", "SERIOUS"),
        ("党纪处分", "党内警告", "PARTY_WARNING", "MINOR"),
        ("党纪处分", "严重警告", "PARTY_SERIOUS_WARNING", "GENERAL"),
        ("党纪处分", "撤销党内职务", "PARTY_POST_REMOVAL", "GENERAL"),
        ("党纪处分", "留党察看一年", "PARTY_PROBATION_1Y", "SERIOUS"),
        ("党纪处分", "留党察看 二年", "PARTY_PROBATION_2Y", "SERIOUS"),
        ("党纪处分", "开除党籍", "PARTY_EXPULSION", "SERIOUS"),
        ("组织处理", "诫勉", "ADMONISHMENT", "MINOR"),
        ("问责", "调整职务", "POST_ADJUSTMENT", "GENERAL"),
        ("组织处理/问责", "责令辞职", "ORDERED_RESIGNATION", "GENERAL"),
        ("组织处理", "免职", "REMOVAL_FROM_POST", "GENERAL"),
        ("组织处理", "降职", "POST_DEMOTION", "GENERAL"),
        ("GOVERNMENT_SANCTION", "DEMERIT", "DEMERIT", "GENERAL"),
    ],
)
def test_kinds_and_severities(category: str, kind: str, expected: str, severity: str) -> None:
    record = map_decision(decision(处分类别=category, 处分种类=kind))
    assert (record["sanction_kind"], record["severity"]) == (expected, severity)


def test_every_kind_the_mapping_emits_belongs_to_its_category_in_the_hub() -> None:
    for category, kinds in KINDS.items():
        allowed = KINDS_BY_CATEGORY[RecordCategory(category)]
        assert {SanctionKind(name) for name in kinds.values()} == allowed


@pytest.mark.parametrize(("period", "expected"), [("一年", "1Y"), ("二年", "2Y"), ("24个月", "2Y")])
def test_probation_takes_its_length_from_the_period_column(period: str, expected: str) -> None:
    record = map_decision(decision(处分类别="党纪处分", 处分种类="留党察看", 察看期限=period))
    assert record["sanction_kind"] == f"PARTY_PROBATION_{expected}"


@pytest.mark.parametrize(
    ("kind", "period", "reason"),
    [
        ("留党察看", None, "needs its length"),
        ("留党察看", "三年", "is not 一年 or 二年"),
        ("留党察看一年", "二年", "disagree"),
    ],
)
def test_probation_without_a_clear_length_is_a_problem(
    kind: str, period: str | None, reason: str
) -> None:
    error = problem(decision(处分类别="党纪处分", 处分种类=kind, 察看期限=period))
    assert error.field == "察看期限"
    assert reason in error.message


def test_an_unknown_kind_names_the_column_and_the_known_kinds() -> None:
    error = problem(decision(处分类别="组织处理", 处分种类="通报"))
    assert error.field == "处分种类"
    assert "'通报'" in error.message
    assert "诫勉、调整职务、责令辞职、免职、降职" in error.message


def test_a_kind_of_another_category_is_a_problem() -> None:
    error = problem(decision(处分类别="政务处分", 处分种类="开除党籍"))
    assert error.field == "处分种类"
    assert "GOVERNMENT_SANCTION" in error.message


def test_an_unknown_category_lists_the_known_ones() -> None:
    error = problem(decision(处分类别="行政处罚"))
    assert error.field == "处分类别"
    assert "政务处分" in error.message and "党纪处分" in error.message


def test_the_approval_date_is_the_decision_date_when_given() -> None:
    record = map_decision(
        decision(
            处分类别="党纪处分",
            处分种类="严重警告",
            作出决定日期="2025-02-20",
            批准日期="2025年03月05日",
        )
    )
    assert record["decided_at"] == "2025年03月05日"
    assert record["detail"]["decidedOn"] == "2025-02-20"
    assert record["detail"]["approvedOn"] == "2025年03月05日"


def test_spreadsheet_dates_become_iso_text() -> None:
    record = map_decision(decision(作出决定日期=datetime(2025, 3, 1), 批准日期=date(2025, 3, 9)))
    assert record["decided_at"] == "2025-03-09"
    assert record["detail"]["decidedOn"] == "2025-03-01"


def test_a_decision_without_any_date_is_a_problem() -> None:
    error = problem(decision(作出决定日期=None))
    assert error.field == "作出决定日期"


@pytest.mark.parametrize(
    ("status", "expected"),
    [("有效", "ACTIVE"), (None, "ACTIVE"), ("已撤销", "REVOKED"), ("已变更", "CORRECTED")],
)
def test_decision_status(status: str | None, expected: str) -> None:
    assert map_decision(decision(决定状态=status))["status"] == expected


def test_an_unknown_status_is_a_problem() -> None:
    error = problem(decision(决定状态="已失效"))
    assert error.field == "决定状态"
    assert "有效" in error.message


def test_the_act_reference_goes_to_detail() -> None:
    record = map_decision(decision(同一违法行为编号="ACT-2024-0007"))
    assert record["detail"]["actRef"] == "ACT-2024-0007"


@pytest.mark.parametrize("column", ["决定文号", "公民身份号码", "处分类别", "处分种类"])
def test_a_missing_required_cell_names_its_column(column: str) -> None:
    error = problem(decision(**{column: "  "}))
    assert error.field == column
    assert "missing" in error.message


def test_an_id_number_stored_as_a_number_is_refused() -> None:
    error = problem(decision(公民身份号码=1.1010519491231002e17))
    assert error.field == "公民身份号码"
    assert "format the column as text" in error.message


def test_a_masked_id_number_is_kept_for_identity_resolution() -> None:
    record = map_decision(decision(公民身份号码="3423011964****3224"))
    assert record["subject_id_number"] == "3423011964****3224"


def test_headers_match_whatever_their_width_and_spacing() -> None:
    row = decision()
    row["公民身份号码 "] = row.pop("公民身份号码")
    row["处分种类"] = "  记过 "
    assert map_decision(row)["subject_id_number"] == PERSON


def test_an_open_investigation_has_no_kind_and_ends_when_closed() -> None:
    open_case = decision(
        决定文号=None,
        处分类别="立案审查调查",
        处分种类=None,
        作出决定日期=None,
        立案日期="2025-05-06",
    )
    record = map_decision(open_case)
    assert record["category"] == "INVESTIGATION_OPEN"
    assert record["source_ref"] == "赣纪立〔2024〕88号"
    assert record["decided_at"] == "2025-05-06"
    assert "sanction_kind" not in record and "effective_until" not in record
    closed = map_decision({**open_case, "结案日期": "2025-09-30"})
    assert closed["effective_until"] == "2025-09-30"


def test_an_open_investigation_with_a_kind_is_a_problem() -> None:
    error = problem(decision(处分类别="立案审查调查未结案", 立案日期="2025-05-06"))
    assert error.field == "处分种类"


def test_the_hub_accepts_every_mapped_kind() -> None:
    for category, kinds in KINDS.items():
        for label in kinds:
            normalised = normalise(map_decision(decision(处分类别=category, 处分种类=label)))
            assert isinstance(normalised, Normalised), normalised
            valid = validate_draft(normalised.draft, today=date(2026, 1, 1))
            assert isinstance(valid, ValidRecord), valid
