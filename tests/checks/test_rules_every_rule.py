"""Every shipped rule, on both sides of its boundaries, for every purpose it answers, and in
every record status. The rows are in rule_cases.py."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from rule_cases import (
    ALL,
    CASES,
    PERMANENT,
    RULESET,
    TIMED,
    Case,
    Status,
    check,
    facts,
    months_later,
)

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.checks.rules import Rule, WindowKind
from hub.records.enums import KINDS_BY_CATEGORY, RecordCategory, Severity, SubjectType

THIRTY_YEARS = timedelta(days=30 * 366)
ENDED = [Status.REVOKED, Status.CORRECTED, Status.REPAIRED, Status.EXPIRED]
# 信用修复管理办法 (in force 2026-04-01) maximum publicity by tier; before it, 3 years.
PUBLICITY_MONTHS = {Severity.MINOR: 3, Severity.GENERAL: 12, Severity.SERIOUS: 36, None: 36}
NEW_REGIME = date(2026, 4, 1)


def rule_of(case: Case) -> Rule:
    (rule,) = [r for r in RULESET.rules if r.id == case.rule_id]
    return rule


def test_every_rule_in_the_shipped_file_has_boundary_cases():
    assert {case.rule_id for case in CASES} == {rule.id for rule in RULESET.rules}


def test_every_rule_names_a_law_and_an_article():
    article = re.compile(r"第[一二三四五六七八九十百零]+条|〔\d{4}〕\d+号")
    vague = [rule.id for rule in RULESET.rules if not article.search(rule.legal_basis)]
    assert vague == []


def test_a_record_is_matched_by_at_most_one_rule_per_purpose():
    # So a finding names the one rule that decided, and the cases below stay one-to-one.
    overlaps = []
    for purpose in Purpose:
        for subject in SubjectType:
            for category in RecordCategory:
                for kind in KINDS_BY_CATEGORY.get(category, [None]):
                    for severity in [None, *Severity]:
                        record = facts(
                            category,
                            kind,
                            decided=date(2026, 1, 1),
                            subject=subject,
                            severity=severity,
                        )
                        matching = [r.id for r in RULESET.rules if r.matches(record, purpose)]
                        if len(matching) > 1:
                            overlaps.append((purpose, subject, category, kind, matching))
    assert overlaps == []


@pytest.mark.parametrize("case", [c for c in CASES if c.last_day], ids=lambda c: c.name)
def test_case_last_day_follows_the_rule_window(case):
    # Guards the table against typing errors: its last days are the rule's window.
    rule = rule_of(case)
    kind = rule.window.kind
    if kind is WindowKind.MONTHS:
        expected = months_later(case.decided, rule.window.months)
    elif kind is WindowKind.CALENDAR_YEARS:
        years = sum(step.years or 0 for step in rule.effects)
        expected = date(case.decided.year + years - 1, 12, 31)
    elif kind is WindowKind.PUBLICITY:
        tier = case.severity if case.decided >= NEW_REGIME else None
        expected = months_later(case.decided, PUBLICITY_MONTHS[tier])
    else:
        assert kind is WindowKind.WHILE_ACTIVE
        expected = case.until
    assert expected == case.last_day


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_rule_applies_from_the_decision_day(case, purpose):
    evaluation = check([case.record()], purpose, case.decided)
    assert evaluation.verdict is case.verdict
    assert [f.rule.id for f in evaluation.findings] == [case.rule_id]


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_decided_after_the_check_date_is_ignored(case, purpose):
    evaluation = check([case.record()], purpose, case.decided - timedelta(days=1))
    assert evaluation.verdict is Verdict.CLEAR
    assert evaluation.findings == ()


@pytest.mark.parametrize(("case", "purpose"), TIMED)
def test_timed_rule_still_applies_on_its_last_day(case, purpose):
    assert check([case.record()], purpose, case.last_day).verdict is case.verdict


@pytest.mark.parametrize(("case", "purpose"), TIMED)
def test_timed_rule_no_longer_applies_the_day_after_its_last_day(case, purpose):
    as_of = case.last_day + timedelta(days=1)
    assert check([case.record()], purpose, as_of).verdict is Verdict.CLEAR


@pytest.mark.parametrize(("case", "purpose"), TIMED)
def test_restricts_until_is_the_last_restricted_day(case, purpose):
    (finding,) = check([case.record()], purpose, case.decided).findings
    assert finding.restricts_until == case.last_day


@pytest.mark.parametrize(("case", "purpose"), PERMANENT)
def test_permanent_rule_still_applies_thirty_years_later(case, purpose):
    evaluation = check([case.record()], purpose, case.decided + THIRTY_YEARS)
    assert evaluation.verdict is Verdict.RESTRICTED


@pytest.mark.parametrize(("case", "purpose"), PERMANENT)
def test_permanent_rule_has_no_restricts_until(case, purpose):
    (finding,) = check([case.record()], purpose, case.decided).findings
    assert finding.restricts_until is None


@pytest.mark.parametrize(("case", "purpose"), [p for p in ALL if p.values[1] is Purpose.APPRAISAL])
def test_appraisal_rule_states_its_effect_on_the_decision_year(case, purpose):
    evaluation = check([case.record()], purpose, case.decided)
    assert evaluation.appraisal is not None
    assert (evaluation.appraisal.year, evaluation.appraisal.effect) == (
        case.decided.year,
        case.effect,
    )
    assert evaluation.findings[0].effect is case.effect


@pytest.mark.parametrize(
    ("case", "purpose"), [p for p in ALL if p.values[1] is not Purpose.APPRAISAL]
)
def test_only_appraisal_findings_carry_an_effect(case, purpose):
    evaluation = check([case.record()], purpose, case.decided)
    assert evaluation.appraisal is None
    assert [(f.effect, f.effect_years) for f in evaluation.findings] == [(None, ())]


# --- record status, for every purpose ----------------------------------------------------


@pytest.mark.parametrize("status", ENDED, ids=lambda s: s.value)
@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_no_longer_in_force_never_restricts(case, purpose, status):
    evaluation = check([case.record(status=status)], purpose, case.decided)
    assert evaluation.verdict is Verdict.CLEAR
    assert evaluation.findings == ()


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_under_objection_asks_for_review(case, purpose):
    evaluation = check([case.record(status=Status.UNDER_OBJECTION)], purpose, case.decided)
    assert evaluation.verdict is Verdict.REVIEW
    (finding,) = evaluation.findings
    assert finding.disputed is True
    assert finding.outcome is Outcome.REVIEW


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_under_objection_is_reported_until_its_last_day(case, purpose):
    as_of = case.last_day or case.decided + THIRTY_YEARS
    evaluation = check([case.record(status=Status.UNDER_OBJECTION)], purpose, as_of)
    assert evaluation.verdict is Verdict.REVIEW
