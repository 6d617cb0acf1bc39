"""The court mapping: one raw row (Chinese headers or public API keys) to a record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import RECORD_FIELDS, SourceDataError
from connectors.court.mapping import (
    DEFAULTER_BASIS,
    DEFAULTER_REQUIRED,
    DEFAULTERS,
    defaulter_record,
    judgment_record,
    looks_like_person,
)
from vocabulary.identifiers import id_check_char, uscc_check_char

PERSON_ID = "11010519491231002X"  # valid (RULES.md §9)
MASKED_ID = "3423011964****3224"
BODY_USCC = "91350100M000100Y43"


def listing(**changes: Any) -> dict[str, Any]:
    """A 失信被执行人 entry with the published Chinese headers."""
    row = {
        "被执行人姓名/名称": "张三",
        "身份证号码/组织机构代码": MASKED_ID,
        "法定代表人或者负责人姓名": "",
        "性别": "男",
        "年龄": "55",
        "执行法院": "合肥市蜀山区人民法院",
        "省份": "安徽",
        "执行依据文号": "（2019）皖0104民初1234号",
        "立案时间": "20190709",
        "案号": "（2019）皖0104执5678号",
        "做出执行依据单位": "合肥市蜀山区人民法院",
        "生效法律文书确定的义务": "偿还借款本金50000元及利息",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "有履行能力而拒不履行生效法律文书确定义务",
        "发布时间": "2019年07月13日",
    }
    row.update(changes)
    return row


def api_entry(**changes: Any) -> dict[str, Any]:
    """The same entry as the public API's JSON gives it."""
    entry = {
        "iname": "张三",
        "cardNum": MASKED_ID,
        "businessEntity": "",
        "sexy": "男",
        "age": 55,
        "courtName": "合肥市蜀山区人民法院",
        "areaName": "安徽",
        "gistId": "（2019）皖0104民初1234号",
        "regDate": "20190709",
        "caseCode": "（2019）皖0104执5678号",
        "gistUnit": "合肥市蜀山区人民法院",
        "duty": "偿还借款本金50000元及利息",
        "performance": "全部未履行",
        "disruptTypeName": "有履行能力而拒不履行生效法律文书确定义务",
        "publishDate": "2019年07月13日",
    }
    entry.update(changes)
    return entry


def judgment(**changes: Any) -> dict[str, Any]:
    row = {
        "案号": "（2021）赣01行初12号",
        "被告机关名称": "江城市自然资源局",
        "统一社会信用代码": BODY_USCC,
        "审理法院": "江城市中级人民法院",
        "判决日期": "2021-06-01",
        "生效日期": "2021-07-02",
        "案由": "行政补偿纠纷",
        "判决结果": "败诉",
        "判决主文": "判决被告支付补偿款300000元",
        "判决金额": "300000",
        "履行情况": "未履行",
        "履行日期": "",
    }
    row.update(changes)
    return row


def problem_field(mapping: Any, row: dict[str, Any]) -> str:
    with pytest.raises(SourceDataError) as caught:
        mapping(row)
    return caught.value.field


# -- 失信被执行人 ----------------------------------------------------------------------------------


def test_a_masked_listing_maps_to_a_judgment_defaulter_record_keyed_by_case_number() -> None:
    record = defaulter_record(listing())
    assert set(record) <= RECORD_FIELDS
    assert record["category"] == "JUDGMENT_DEFAULTER"
    assert record["source_ref"] == f"（2019）皖0104执5678号/{MASKED_ID}"
    assert record["detail"]["caseCode"] == "（2019）皖0104执5678号"
    assert record["subject_id_number"] == MASKED_ID  # left for the hub's identity resolution
    assert "subject_uscc" not in record
    assert record["subject_name"] == "张三"
    assert record["decided_at"] == "2019年07月13日"
    assert record["legal_basis"] == DEFAULTER_BASIS
    assert record["status"] == "ACTIVE"
    assert record["severity"] == "GENERAL"


def test_the_api_keys_give_the_same_record_as_the_chinese_headers() -> None:
    assert defaulter_record(api_entry()) == defaulter_record(listing())


def test_detail_carries_the_listing_facts_with_an_iso_filing_date() -> None:
    detail = defaulter_record(listing())["detail"]
    assert detail == {
        "caseCode": "（2019）皖0104执5678号",
        "courtName": "合肥市蜀山区人民法院",
        "areaName": "安徽",
        "gistId": "（2019）皖0104民初1234号",
        "regDate": "2019-07-09",
        "gistUnit": "合肥市蜀山区人民法院",
        "duty": "偿还借款本金50000元及利息",
        "performance": "全部未履行",
        "disruptTypeName": "有履行能力而拒不履行生效法律文书确定义务",
        "businessEntity": None,
        "sex": "男",
        "age": 55,
    }


def test_summary_is_the_ground_then_the_duty_truncated() -> None:
    short = defaulter_record(listing())["summary"]
    assert short == "有履行能力而拒不履行生效法律文书确定义务；义务：偿还借款本金50000元及利息"
    long_duty = "偿还借款" + "甲" * 500
    summary = defaulter_record(listing(生效法律文书确定的义务=long_duty))["summary"]
    assert summary.endswith("…") and len(summary) < 260
    assert (
        defaulter_record(listing(生效法律文书确定的义务=long_duty))["detail"]["duty"] == long_duty
    )


def test_the_filing_date_dates_the_listing_only_when_the_publication_date_is_absent() -> None:
    assert defaulter_record(listing(发布时间=""))["decided_at"] == "20190709"
    assert problem_field(defaulter_record, listing(发布时间="", 立案时间="")) == "发布时间"


@pytest.mark.parametrize(
    "ground",
    [
        "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
        "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
        "违反财产报告制度,以暴力方法妨碍执行",
    ],
)
def test_obstructing_or_evading_execution_is_serious(ground: str) -> None:
    assert defaulter_record(listing(失信被执行人行为具体情形=ground))["severity"] == "SERIOUS"


@pytest.mark.parametrize("ground", ["违反限制消费令", "违反财产报告制度", ""])
def test_other_grounds_are_general(ground: str) -> None:
    assert defaulter_record(listing(失信被执行人行为具体情形=ground))["severity"] == "GENERAL"


def test_a_clear_id_number_is_a_person() -> None:
    record = defaulter_record(listing(**{"身份证号码/组织机构代码": PERSON_ID.lower()}))
    assert record["subject_id_number"] == PERSON_ID


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (BODY_USCC, BODY_USCC),
        ("12345678-9", "123456789"),
        ("123456789", "123456789"),
        ("MA1234567", "MA1234567"),
    ],
)
def test_an_organization_code_or_uscc_is_an_organization(number: str, expected: str) -> None:
    record = defaulter_record(listing(**{"身份证号码/组织机构代码": number, "年龄": "0"}))
    assert record["subject_uscc"] == expected
    assert "subject_id_number" not in record
    assert record["detail"]["age"] is None  # the API's 0 for an organization means nothing


def test_a_row_naming_a_legal_representative_is_an_organization() -> None:
    # A government body listed under its 组织机构代码; the representative decides.
    record = defaulter_record(
        listing(
            **{
                "被执行人姓名/名称": "江城市住房和城乡建设局",
                "身份证号码/组织机构代码": "11360100MB1503011E",
                "法定代表人或者负责人姓名": "李四",
                "性别": "",
                "年龄": "0",
            }
        )
    )
    assert record["subject_uscc"] == "11360100MB1503011E"
    assert record["detail"]["businessEntity"] == "李四"


def test_a_numeric_uscc_with_a_date_like_run_is_told_apart_by_its_check_character() -> None:
    first17 = "11110119900101123"  # digits 7-14 read 19900101
    uscc = first17 + uscc_check_char(first17)
    person = first17 + id_check_char(first17)
    assert uscc != person
    assert not looks_like_person(uscc)
    assert looks_like_person(person)


@pytest.mark.parametrize(
    ("number", "person"),
    [
        (MASKED_ID, True),
        ("342301********3224", True),
        ("３４２３０１１９６４＊＊＊＊３２２４", True),  # full width, as some exports write it
        ("340104640101322", True),  # first-generation, 15 digits
        (PERSON_ID, True),
        ("110105199913451234", False),  # month 13: not a birth date
        (BODY_USCC, False),
        ("123456789", False),
    ],
)
def test_person_numbers_are_known_by_their_shape(number: str, person: bool) -> None:
    record = defaulter_record(listing(**{"身份证号码/组织机构代码": number, "年龄": ""}))
    assert ("subject_id_number" in record) is person


def test_a_minor_is_never_listed_so_such_a_row_is_a_source_error() -> None:
    assert problem_field(defaulter_record, listing(年龄="17")) == "年龄"
    assert defaulter_record(listing(年龄="18"))["detail"]["age"] == 18


@pytest.mark.parametrize("age", ["三十", "-3", "30.5"])
def test_an_unreadable_age_is_a_source_error(age: str) -> None:
    assert problem_field(defaulter_record, listing(年龄=age)) == "年龄"


def test_spreadsheet_values_are_read_as_text() -> None:
    record = defaulter_record(
        listing(年龄=55.0, 立案时间=datetime(2019, 7, 9), 发布时间=date(2019, 7, 13))
    )
    assert record["detail"]["age"] == 55
    assert record["detail"]["regDate"] == "2019-07-09"
    assert record["decided_at"] == "2019-07-13"


def test_an_id_number_stored_as_a_spreadsheet_number_has_lost_digits() -> None:
    row = listing(**{"身份证号码/组织机构代码": 3.42301196401013e17})
    assert problem_field(defaulter_record, row) == "身份证号码/组织机构代码"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("案号", "案号"),
        ("被执行人姓名/名称", "被执行人姓名/名称"),
        ("身份证号码/组织机构代码", "身份证号码/组织机构代码"),
    ],
)
def test_a_row_missing_what_identifies_it_is_a_source_error(header: str, field: str) -> None:
    assert problem_field(defaulter_record, listing(**{header: "  "})) == field


def test_co_debtors_listed_under_one_case_number_are_separate_records() -> None:
    first = defaulter_record(listing())
    second = defaulter_record(
        listing(被执行人姓名="李四", **{"身份证号码/组织机构代码": "3423011970****1215"})
    )
    assert first["source_ref"] != second["source_ref"]
    assert first["detail"]["caseCode"] == second["detail"]["caseCode"]


def test_an_impossible_filing_date_is_a_source_error() -> None:
    assert problem_field(defaulter_record, listing(立案时间="20190230")) == "立案时间"


def test_case_numbers_are_spelled_with_full_width_brackets() -> None:
    record = defaulter_record(listing(案号=" (2019)皖0104执5678号 "))
    assert record["detail"]["caseCode"] == "（2019）皖0104执5678号"


@pytest.mark.parametrize("performance", ["全部履行", "已履行"])
def test_a_performed_listing_has_ended(performance: str) -> None:
    record = defaulter_record(listing(被执行人的履行情况=performance))
    assert record["status"] == "EXPIRED"
    assert record["effective_until"] == "2019年07月13日"


@pytest.mark.parametrize("performance", ["全部未履行", "部分未履行", "部分履行"])
def test_an_unperformed_listing_stays_active(performance: str) -> None:
    record = defaulter_record(listing(被执行人的履行情况=performance))
    assert record["status"] == "ACTIVE"
    assert "effective_until" not in record


@pytest.mark.parametrize("state", ["已删除", "删除", "已移除", "屏蔽"])
def test_a_deleted_listing_ends_on_its_deletion_date(state: str) -> None:
    record = defaulter_record(listing(状态=state, 删除日期="2020-01-15"))
    assert record["status"] == "EXPIRED"
    assert record["effective_until"] == "2020-01-15"


def test_a_revoked_listing_was_never_right() -> None:
    assert defaulter_record(listing(状态="已撤销"))["status"] == "REVOKED"


def test_an_unknown_listing_state_is_a_source_error() -> None:
    assert problem_field(defaulter_record, listing(状态="暂停")) == "状态"


def test_an_unreadable_json_line_is_a_row_problem() -> None:
    with pytest.raises(SourceDataError) as caught:
        defaulter_record({"_line": "{oops", "_error": "not valid JSON"})
    assert (caught.value.field, caught.value.message) == ("row", "not valid JSON")


def test_headers_match_whatever_their_width_case_or_spacing() -> None:
    row = {f" {k} ": v for k, v in listing().items() if k != "案号"}
    row["ＣＡＳＥＣＯＤＥ"] = "(2019)皖0104执5678号"  # the API key, full width and upper case
    assert defaulter_record(row)["detail"]["caseCode"] == "（2019）皖0104执5678号"
    assert DEFAULTERS.missing(row, DEFAULTER_REQUIRED) == []
    assert DEFAULTERS.missing(["案号", "iname"], DEFAULTER_REQUIRED) == [
        "身份证号码/组织机构代码",
        "发布时间/立案时间",
    ]


# -- judgments against government bodies -----------------------------------------------------------


def test_an_unperformed_judgment_is_an_active_court_judgment_of_the_body() -> None:
    record = judgment_record(judgment())
    assert set(record) <= RECORD_FIELDS
    assert record["category"] == "COURT_JUDGMENT"
    assert record["source_ref"] == "（2021）赣01行初12号"
    assert record["subject_uscc"] == BODY_USCC
    assert record["subject_name"] == "江城市自然资源局"
    assert record["decided_at"] == "2021-07-02"
    assert record["status"] == "ACTIVE"
    assert record["summary"] == "行政补偿纠纷：败诉，未履行；判项：判决被告支付补偿款300000元"
    assert record["legal_basis"] == "《中华人民共和国行政诉讼法》第九十六条"
    assert record["detail"]["judgmentDate"] == "2021-06-01"


def test_a_partly_performed_judgment_stays_active() -> None:
    assert judgment_record(judgment(履行情况="部分履行"))["status"] == "ACTIVE"


def test_a_performed_judgment_ends_on_its_performance_date() -> None:
    record = judgment_record(judgment(履行情况="已履行", 履行日期="2022年3月1日"))
    assert record["status"] == "EXPIRED"
    assert record["effective_until"] == "2022年3月1日"
    assert record["detail"]["performedDate"] == "2022-03-01"


def test_a_civil_case_has_no_default_legal_basis_but_keeps_a_given_one() -> None:
    assert judgment_record(judgment(案号="（2021）赣01民初12号"))["legal_basis"] is None
    given = judgment_record(
        judgment(案号="（2021）赣01民初12号", 法律依据="《民法典》第五百七十七条")
    )
    assert given["legal_basis"] == "《民法典》第五百七十七条"


def test_the_judgment_date_dates_the_record_when_no_effective_date_is_given() -> None:
    assert judgment_record(judgment(生效日期=""))["decided_at"] == "2021-06-01"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"案号": ""}, "案号"),
        ({"被告机关名称": ""}, "被告机关名称"),
        ({"统一社会信用代码": ""}, "统一社会信用代码"),
        ({"履行情况": ""}, "履行情况"),
        ({"履行情况": "不详"}, "履行情况"),
        ({"判决结果": "胜诉"}, "判决结果"),
        ({"生效日期": "", "判决日期": ""}, "生效日期"),
        ({"履行日期": "去年"}, "履行日期"),
    ],
)
def test_unreadable_judgments_are_source_errors(changes: dict[str, str], field: str) -> None:
    assert problem_field(judgment_record, judgment(**changes)) == field


# -- any input -------------------------------------------------------------------------------------

_cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "",
            "0",
            "17",
            "全部履行",
            "已删除",
            "胜诉",
            "已履行",
            "（2019）皖0104执1号",
            MASKED_ID,
            BODY_USCC,
        ]
    ),
)


@settings(max_examples=200, deadline=None)
@given(changes=st.dictionaries(st.sampled_from([*listing(), "状态", "删除日期"]), _cells))
def test_any_listing_row_maps_to_a_record_or_a_source_error(changes: dict[str, Any]) -> None:
    try:
        record = defaulter_record(listing(**changes))
    except SourceDataError as exc:
        assert exc.field and exc.message
        return
    assert set(record) <= RECORD_FIELDS
    assert ("subject_id_number" in record) != ("subject_uscc" in record)


@settings(max_examples=200, deadline=None)
@given(changes=st.dictionaries(st.sampled_from([*judgment(), "法律依据"]), _cells))
def test_any_judgment_row_maps_to_a_record_or_a_source_error(changes: dict[str, Any]) -> None:
    try:
        record = judgment_record(judgment(**changes))
    except SourceDataError as exc:
        assert exc.field and exc.message
        return
    assert set(record) <= RECORD_FIELDS
    assert record["status"] in {"ACTIVE", "EXPIRED"}
