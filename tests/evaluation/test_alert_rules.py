"""监测预警 rules, pure: what each kind raises from a day's facts, and that a scan's keys are
stable (the same occasion is never raised twice)."""

from __future__ import annotations

from datetime import date

import pytest

from hub.alerts.rules import (
    Facts,
    FeedFact,
    OpenItem,
    RecordFact,
    current_rules,
    parse_rules,
    raise_warnings,
)
from hub.alerts.states import WarningLevel
from hub.records.enums import RecordCategory, Severity

TODAY = date(2026, 12, 5)
RULES = current_rules()


def _record(rid: int, category: RecordCategory, severity: Severity, decided: date,
            due: date | None = None) -> RecordFact:  # fmt: skip
    return RecordFact(rid, 7, category, severity, decided, due, f"ref-{rid}")


def _rules_raised(facts: Facts, today: date = TODAY) -> dict[str, set[str]]:
    raised: dict[str, set[str]] = {}
    for warning in raise_warnings(RULES, facts, today):
        raised.setdefault(warning.rule, set()).add(warning.key)
    return raised


def test_a_fresh_serious_record_warns_and_an_old_one_does_not() -> None:
    facts = Facts(records=[
        _record(1, RecordCategory.ADMINISTRATIVE_PENALTY, Severity.SERIOUS, date(2026, 11, 20)),
        _record(2, RecordCategory.ADMINISTRATIVE_PENALTY, Severity.SERIOUS, date(2026, 9, 1)),
        _record(3, RecordCategory.ADMINISTRATIVE_PENALTY, Severity.GENERAL, date(2026, 12, 1)),
    ])  # fmt: skip
    assert _rules_raised(facts) == {"serious_record": {"serious_record:record:1"}}


def test_a_new_defaulter_listing_warns_red() -> None:
    facts = Facts(records=[
        _record(4, RecordCategory.JUDGMENT_DEFAULTER, Severity.GENERAL, date(2026, 11, 30))])  # fmt: skip
    raised = raise_warnings(RULES, facts, TODAY)
    assert [(w.rule, w.level) for w in raised] == [("defaulter_listed", WarningLevel.RED)]
    assert raised[0].agency_id == 7 and raised[0].refs == {"record": 4}


def test_arrears_warn_yellow_after_30_days_and_red_after_60_from_their_due_day() -> None:
    facts = Facts(records=[
        _record(5, RecordCategory.PAYMENT_ARREARS, Severity.GENERAL, date(2026, 1, 1),
                due=date(2026, 10, 20)),  # 46 days late
        _record(6, RecordCategory.PAYMENT_ARREARS, Severity.GENERAL, date(2026, 9, 1)),  # 95
        _record(7, RecordCategory.PAYMENT_ARREARS, Severity.GENERAL, date(2026, 11, 20)),  # 15
    ])  # fmt: skip
    raised = _rules_raised(facts)
    assert raised["arrears_30"] == {"arrears_30:record:5", "arrears_30:record:6"}
    assert raised["arrears_60"] == {"arrears_60:record:6"}


def test_open_items_past_their_deadline_warn_and_a_commitment_warns_a_week_ahead() -> None:
    facts = Facts(items=[
        OpenItem("objection", 1, 3, date(2026, 12, 4)),
        OpenItem("repair", 2, 3, date(2026, 12, 5)),  # due today: not late yet
        OpenItem("clue", 3, 4, date(2026, 11, 1)),
        OpenItem("commitment", 4, 5, date(2026, 12, 10)),
        OpenItem("commitment", 5, 5, date(2026, 12, 20)),
        OpenItem("commitment", 6, 5, date(2026, 11, 30)),
    ])  # fmt: skip
    assert _rules_raised(facts) == {
        "objection_overdue": {"objection_overdue:objection:1"},
        "clue_overdue": {"clue_overdue:clue:3"},
        "commitment_due_soon": {"commitment_due_soon:commitment:4"},
        "commitment_overdue": {"commitment_overdue:commitment:6"},
    }


def test_a_silent_source_warns_once_per_silence() -> None:
    quiet = Facts(feeds=[FeedFact(9, date(2026, 11, 1)), FeedFact(10, date(2026, 12, 1))])
    first = raise_warnings(RULES, quiet, TODAY)
    later = raise_warnings(RULES, quiet, date(2026, 12, 9))
    assert [w.key for w in first] == [w.key for w in later] == ["source_silent:agency:9:2026-11-01"]
    resumed = Facts(feeds=[FeedFact(9, date(2026, 11, 10))])
    assert [w.key for w in raise_warnings(RULES, resumed, date(2026, 12, 9))] == [
        "source_silent:agency:9:2026-11-10"
    ]


def test_rules_as_data_are_checked() -> None:
    assert {r.id for r in RULES} >= {"serious_record", "defaulter_listed", "arrears_30",
                                     "arrears_60", "source_silent", "commitment_due_soon"}  # fmt: skip
    with pytest.raises(ValueError, match="kind"):
        parse_rules({"rule": [{"id": "x", "name": "x", "level": "RED", "kind": "vibes",
                               "basis": "b"}]})  # fmt: skip
    with pytest.raises(ValueError, match="only commitments"):
        parse_rules({"rule": [{"id": "x", "name": "x", "level": "RED", "kind": "due_soon",
                               "item": "clue", "basis": "b"}]})  # fmt: skip
