"""Every shipped rule, on both sides of its boundaries, for every purpose it answers, in every
source status, under objection and after a repair. The rows are in rule_cases.py."""

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
from hub.checks.rules import Basis, Rule, WindowKind
from hub.records.enums import (
    KINDS_BY_CATEGORY,
    ObjectionKind,
    RecordCategory,
    Severity,
    SubjectType,
)

THIRTY_YEARS = timedelta(days=30 * 366)
# Withdrawn by the source (政务处分法 Art. 60): they never restrict.
ENDED = [Status.REVOKED, Status.CORRECTED]
# 信用修复管理办法 (in force 2026-04-01) maximum publicity by tier; before it, 行政处罚 3 years.
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


def test_a_record_is_matched_by_at_most_one_national_rule_per_purpose():
    # So a finding names the one rule that decided, and the cases below stay one-to-one; a
    # local rule may stand beside a national one (it is stricter where it is in force).
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
                        matching = [
                            r.id
                            for r in RULESET.rules
                            if r.matches(record, purpose) and r.jurisdiction is None
                        ]
                        if len(matching) > 1:
                            overlaps.append((purpose, subject, category, kind, matching))
    assert overlaps == []


@pytest.mark.parametrize("case", [c for c in CASES if c.last_day], ids=lambda c: c.name)
def test_case_last_day_follows_the_rule_window(case):
    # Guards the table against typing errors: its last days are the rule's window.
    rule = rule_of(case)
    kind = rule.window.kind
    if kind is WindowKind.MONTHS:
        period = months_later(case.decided, rule.window.months)
        expected = months_later(period, rule.window.after_months)
    elif kind is WindowKind.CALENDAR_YEARS:
        years = sum(step.years or 0 for step in rule.effects)
        expected = date(case.decided.year + years - 1, 12, 31)
    elif kind is WindowKind.PUBLICITY:
        earlier = (
            case.decided < NEW_REGIME and case.category is RecordCategory.ADMINISTRATIVE_PENALTY
        )
        tier = None if earlier else case.severity
        expected = months_later(case.decided, PUBLICITY_MONTHS[tier])
    else:
        assert kind is WindowKind.WHILE_ACTIVE
        expected = case.until
    assert expected == case.last_day


def mine(evaluation, case):
    (finding,) = [f for f in evaluation.findings if f.rule.id == case.rule_id]
    return finding


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_rule_applies_from_the_decision_day(case, purpose):
    evaluation = case.check(purpose, case.decided)
    assert evaluation.verdict is case.verdict
    assert sorted(f.rule.id for f in evaluation.findings) == sorted([case.rule_id, *case.beside])


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_decided_after_the_check_date_is_ignored(case, purpose):
    evaluation = case.check(purpose, case.decided - timedelta(days=1))
    assert evaluation.verdict is Verdict.CLEAR
    assert evaluation.findings == ()


@pytest.mark.parametrize(("case", "purpose"), TIMED)
def test_timed_rule_still_applies_on_its_last_day(case, purpose):
    assert case.check(purpose, case.last_day).verdict is case.verdict


@pytest.mark.parametrize(("case", "purpose"), TIMED)
def test_timed_rule_no_longer_applies_the_day_after_its_last_day(case, purpose):
    evaluation = case.check(purpose, case.last_day + timedelta(days=1))
    assert case.rule_id not in {f.rule.id for f in evaluation.findings}
    if not case.beside:
        assert evaluation.verdict is Verdict.CLEAR


@pytest.mark.parametrize(("case", "purpose"), TIMED)
def test_restricts_until_is_the_last_restricted_day(case, purpose):
    assert mine(case.check(purpose, case.decided), case).restricts_until == case.last_day


@pytest.mark.parametrize(("case", "purpose"), PERMANENT)
def test_permanent_rule_still_applies_thirty_years_later(case, purpose):
    evaluation = case.check(purpose, case.decided + THIRTY_YEARS)
    assert evaluation.verdict is Verdict.RESTRICTED


@pytest.mark.parametrize(("case", "purpose"), PERMANENT)
def test_permanent_rule_has_no_restricts_until(case, purpose):
    assert mine(case.check(purpose, case.decided), case).restricts_until is None


LOCAL = [p for p in ALL if p.values[0].region is not None]


@pytest.mark.parametrize(("case", "purpose"), LOCAL)
def test_a_local_rule_binds_only_agencies_in_its_region(case, purpose):
    elsewhere = check([case.record()], purpose, case.decided, region="361202")
    assert case.rule_id not in {f.rule.id for f in elsewhere.findings}
    by_operator = check([case.record()], purpose, case.decided, region=None)
    assert case.rule_id not in {f.rule.id for f in by_operator.findings}


@pytest.mark.parametrize(("case", "purpose"), [p for p in ALL if p.values[1] is Purpose.APPRAISAL])
def test_appraisal_rule_states_its_effect_on_the_decision_year(case, purpose):
    evaluation = case.check(purpose, case.decided)
    assert evaluation.appraisal is not None
    assert (evaluation.appraisal.year, evaluation.appraisal.effect) == (
        case.decided.year,
        case.effect,
    )
    assert mine(evaluation, case).effect is case.effect


@pytest.mark.parametrize(
    ("case", "purpose"), [p for p in ALL if p.values[1] is not Purpose.APPRAISAL]
)
def test_only_appraisal_findings_carry_an_effect(case, purpose):
    evaluation = case.check(purpose, case.decided)
    assert evaluation.appraisal is None
    assert {(f.effect, f.effect_years) for f in evaluation.findings} == {(None, ())}


# --- source status, objections and repair, for every purpose -----------------------------


@pytest.mark.parametrize("status", ENDED, ids=lambda s: s.value)
@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_withdrawn_by_its_source_never_restricts(case, purpose, status):
    evaluation = case.check(purpose, case.decided, status=status)
    assert evaluation.verdict is Verdict.CLEAR
    assert evaluation.findings == ()


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_whose_data_is_disputed_asks_for_review(case, purpose):
    evaluation = case.check(purpose, case.decided, objection=ObjectionKind.DATA_ERROR)
    assert evaluation.verdict is Verdict.REVIEW
    assert {(f.disputed, f.outcome) for f in evaluation.findings} == {(True, Outcome.REVIEW)}


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_whose_data_is_disputed_is_reported_until_its_last_day(case, purpose):
    as_of = case.last_day or case.decided + THIRTY_YEARS
    evaluation = case.check(purpose, as_of, objection=ObjectionKind.DATA_ERROR)
    assert evaluation.verdict is Verdict.REVIEW


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_a_pending_sanction_review_does_not_suspend_the_rule(case, purpose):
    # 政务处分法 Art. 56: 复审、复核期间，不停止处分的执行.
    evaluation = case.check(purpose, case.decided, objection=ObjectionKind.SANCTION_REVIEW)
    assert evaluation.verdict is case.verdict
    finding = mine(evaluation, case)
    assert (finding.pending_review, finding.disputed) == (True, False)


REPAIRED_ON = timedelta(days=1)


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_a_repair_lifts_a_measure_from_its_day_and_never_a_statute(case, purpose):
    # Repaired the day after the decision: on the decision day the record still restricts.
    repaired = case.decided + REPAIRED_ON
    before = case.check(purpose, case.decided, repaired_on=repaired)
    assert before.verdict is case.verdict
    # The appraisal judged is the decision year's, even when the repair falls in the next.
    year = case.decided.year if purpose is Purpose.APPRAISAL else None
    after = case.check(purpose, repaired, repaired_on=repaired, appraisal_year=year)
    if rule_of(case).basis is Basis.MEASURE:
        assert case.rule_id not in {f.rule.id for f in after.findings}
        assert mine(before, case).restricts_until == case.decided
    else:
        assert after.verdict is case.verdict
        assert mine(after, case).restricts_until == case.last_day
