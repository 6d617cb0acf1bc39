"""One contract of the procurement API → PAYMENT_ARREARS and PROCUREMENT_BREACH records."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from connectors.base import RECORD_FIELDS, SourceDataError
from connectors.finance.mapping import (
    ARREARS_LEGAL_BASIS,
    BREACH_LEGAL_BASIS,
    arrears_record,
    breach_record,
    contract_records,
    parse_contract,
    rejudge,
    watch_entry,
)
from hub.ingest.normalize import Normalised, normalise
from hub.records.drafts import ValidRecord, validate_draft

PURCHASER = "11320100MB0000001M"  # a 机关 (登记管理部门 1, 机构类别 1)
SUPPLIER = "91320100MA1X00001C"
AS_OF = date(2024, 12, 31)


def item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "contract_id": "HT-2024-0001",
        "purchaser_uscc": PURCHASER,
        "purchaser_name": "某市教育局",
        "supplier_name": "某某信息技术有限公司",
        "supplier_uscc": SUPPLIER,
        "supplier_is_sme": True,
        "amount": "50000.00",
        "signed_on": "2024-02-01",
        "delivered_on": "2024-03-01",
        "acceptance_required": False,
        "acceptance_period_days": None,
        "accepted_on": None,
        "payment_term_days": None,
        "paid_on": None,
        "breach": None,
    }
    base.update(changes)
    return base


BREACH = {
    "recorded_on": "2024-05-20",
    "kind": "无正当理由拒绝验收",
    "description": "采购人拒绝对已交付货物组织验收",
    "decision_ref": "宁财购处〔2024〕12号",
}


def test_a_contract_paid_on_time_without_breach_gives_no_record() -> None:
    assert contract_records(item(paid_on="2024-03-31"), AS_OF) == []


def test_an_unpaid_contract_past_its_due_day_gives_an_active_arrears_record() -> None:
    record = arrears_record(item(), date(2024, 4, 10))
    assert record is not None
    assert record["source_ref"] == "ARREARS-HT-2024-0001"
    assert record["category"] == "PAYMENT_ARREARS"
    assert (record["subject_uscc"], record["subject_name"]) == (PURCHASER, "某市教育局")
    assert record["decided_at"] == "2024-04-01"  # the day after the due day
    assert (record["severity"], record["status"]) == ("GENERAL", "ACTIVE")
    assert "effective_until" not in record
    assert record["legal_basis"] == ARREARS_LEGAL_BASIS
    assert "截至2024-04-10仍未支付" in record["summary"]
    detail = record["detail"]
    assert detail["due_on"] == "2024-03-31"
    assert (detail["days_late"], detail["paid_on"], detail["judged_as_of"]) == (
        10,
        None,
        "2024-04-10",
    )
    assert (detail["supplier_uscc"], detail["amount"]) == (SUPPLIER, "50000.00")
    assert detail["clock_start_reason"] == "交付之日"


def test_a_contract_paid_late_stays_a_record_whose_effect_ends_with_the_payment() -> None:
    record = arrears_record(item(paid_on="2024-04-15"), AS_OF)
    assert record is not None
    assert record["status"] == "ACTIVE"
    assert record["effective_until"] == "2024-04-15"
    assert record["detail"]["days_late"] == 15
    assert "2024-04-15方才支付" in record["summary"]


def test_an_agreed_term_over_60_days_is_noted_in_the_detail() -> None:
    record = arrears_record(item(payment_term_days=90, paid_on="2024-05-10"), AS_OF)
    assert record is not None
    detail = record["detail"]
    assert (detail["agreed_payment_term_days"], detail["payment_term_days"]) == (90, 60)
    assert detail["due_on"] == "2024-04-30"
    assert any("90日" in note for note in detail["notes"])


@pytest.mark.parametrize(
    ("amount", "paid_on", "severity"),
    [
        ("50000", "2024-06-29", "GENERAL"),  # 90 days late
        ("50000", "2024-06-30", "SERIOUS"),  # 91 days late
        ("999999.99", "2024-04-01", "GENERAL"),
        ("1000000", "2024-04-01", "SERIOUS"),
        (1_500_000, "2024-04-01", "SERIOUS"),
    ],
)
def test_severity_is_serious_past_90_days_or_from_a_million_yuan(
    amount: Any, paid_on: str, severity: str
) -> None:
    record = arrears_record(item(amount=amount, paid_on=paid_on), AS_OF)
    assert record is not None and record["severity"] == severity


def test_a_supplier_that_is_not_an_sme_gives_no_arrears_record() -> None:
    assert contract_records(item(supplier_is_sme=False), AS_OF) == []


def test_a_recorded_breach_gives_a_breach_record_against_the_purchaser() -> None:
    record = breach_record(item(paid_on="2024-03-10", breach=BREACH))
    assert record is not None
    assert record["category"] == "PROCUREMENT_BREACH"
    assert record["source_ref"] == "宁财购处〔2024〕12号"
    assert record["subject_uscc"] == PURCHASER
    assert record["decided_at"] == "2024-05-20"
    assert record["legal_basis"] == BREACH_LEGAL_BASIS
    assert "无正当理由拒绝验收" in record["summary"]
    assert record["detail"]["breach_kind"] == "无正当理由拒绝验收"


def test_a_breach_without_decision_ref_is_keyed_by_the_contract_and_keeps_its_basis() -> None:
    given = {**BREACH, "decision_ref": None, "legal_basis": "合同第十二条", "severity": "严重"}
    record = breach_record(item(breach=given))
    assert record is not None
    assert record["source_ref"] == "BREACH-HT-2024-0001"
    assert (record["legal_basis"], record["severity"]) == ("合同第十二条", "严重")


def test_a_contract_in_arrears_with_a_breach_gives_both_records_arrears_first() -> None:
    records = contract_records(item(breach=BREACH), AS_OF)
    assert [r["category"] for r in records] == ["PAYMENT_ARREARS", "PROCUREMENT_BREACH"]


def test_amounts_come_as_numbers_or_text_with_thousands_separators() -> None:
    assert str(parse_contract(item(amount=1234.5)).amount) == "1234.5"
    assert str(parse_contract(item(amount="1,234.50")).amount) == "1234.50"


def test_numbers_of_days_may_come_as_digit_strings() -> None:
    assert parse_contract(item(payment_term_days="45")).payment_term_days == 45


def test_a_timestamp_counts_as_its_day() -> None:
    assert parse_contract(item(delivered_on="2024-03-01T09:30:00+08:00")).delivered_on == date(
        2024, 3, 1
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contract_id": None}, "contract_id"),
        ({"contract_id": "  "}, "contract_id"),
        ({"purchaser_uscc": None}, "purchaser_uscc"),
        ({"purchaser_uscc": "", "paid_on": "2024-03-05"}, "purchaser_uscc"),  # no record due
        ({"supplier_is_sme": "是"}, "supplier_is_sme"),
        ({"acceptance_required": None}, "acceptance_required"),
        ({"amount": "五万元"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"delivered_on": "2024-02-30"}, "delivered_on"),
        ({"paid_on": "下月"}, "paid_on"),
        ({"payment_term_days": -5}, "payment_term_days"),
        ({"payment_term_days": 30.5}, "payment_term_days"),
        ({"acceptance_period_days": True}, "acceptance_period_days"),
        ({"accepted_on": "2024-02-01"}, "accepted_on"),  # before delivery
        ({"breach": "违约"}, "breach"),
        ({"breach": {**BREACH, "recorded_on": None}}, "breach.recorded_on"),
        ({"breach": {**BREACH, "recorded_on": "2024/13/01"}}, "breach.recorded_on"),
    ],
)
def test_an_unreadable_contract_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(SourceDataError) as raised:
        contract_records(item(**changes), AS_OF)
    assert raised.value.field == field


def test_records_use_only_the_record_vocabulary_and_json_details() -> None:
    for record in contract_records(item(breach=BREACH, payment_term_days=75), AS_OF):
        assert set(record) <= RECORD_FIELDS
        json.dumps(record["detail"])


def test_records_pass_the_hubs_normalisation_and_validation() -> None:
    records = contract_records(item(paid_on="2024-05-01", breach=BREACH), AS_OF)
    records += contract_records(item(contract_id="HT-2"), AS_OF)
    assert len(records) == 3
    for record in records:
        normalised = normalise(record)
        assert isinstance(normalised, Normalised), normalised
        assert isinstance(validate_draft(normalised.draft, today=AS_OF), ValidRecord)


# --- contracts that change by time alone ----------------------------------------------------


def test_an_unpaid_contract_not_yet_due_is_watched_without_a_record_sent() -> None:
    assert watch_entry(item(), date(2024, 3, 15)) == {"item": item(), "severity": None}


@pytest.mark.parametrize(
    "changes",
    [
        {"paid_on": "2024-03-10"},  # paid: only the source can change it now
        {"supplier_is_sme": False},
        {"delivered_on": None},  # delivery is a change the source will send
        {"acceptance_required": True},  # no agreed period: acceptance starts the clock
        {"amount": "2000000"},  # already as serious as it gets once late
    ],
)
def test_contracts_that_cannot_change_by_time_alone_are_not_watched(
    changes: dict[str, Any],
) -> None:
    as_of = date(2024, 4, 10)
    assert watch_entry(item(**changes), as_of) is None


def test_a_watched_contract_is_sent_when_late_again_when_serious_then_dropped() -> None:
    entry = watch_entry(item(), date(2024, 3, 15))
    assert entry is not None
    assert rejudge(entry, date(2024, 3, 31)) == (None, entry)  # due today: not late

    record, entry = rejudge(entry, date(2024, 4, 1))
    assert record is not None and record["severity"] == "GENERAL"
    assert entry is not None and entry["severity"] == "GENERAL"
    assert rejudge(entry, date(2024, 6, 29)) == (None, entry)  # 90 days: no change

    record, entry = rejudge(entry, date(2024, 6, 30))
    assert record is not None and record["severity"] == "SERIOUS"
    assert entry is None
