"""录用/调任 (HIRING, TRANSFER) and 评优评先 (AWARD) for persons: the named examples and the
cases the per-rule table (test_rules_every_rule.py) does not show.

Periods are counted as 民法典 Art. 201–202 count them: a period of N months ends on the
corresponding day of the N-th month (that month's last day when it has no such day), and
that last day is still restricted.
"""

from __future__ import annotations

from datetime import date

import pytest
from rule_cases import DEFAULTER, GOV, PARTY, RULESET, Category, Kind, Status, check, facts

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.records.enums import SanctionKind

HIRING_PURPOSES = [Purpose.HIRING, Purpose.TRANSFER]


# --- the examples named in the specification --------------------------------------------


def example(kind: SanctionKind, decided: str, as_of: str, verdict: Verdict):
    return pytest.param(
        kind,
        date.fromisoformat(decided),
        date.fromisoformat(as_of),
        verdict,
        id=f"{kind.value}-decided-{decided}-checked-{as_of}-{verdict.value}",
    )


@pytest.mark.parametrize(
    ("kind", "decided", "as_of", "verdict"),
    [
        example(Kind.WARNING, "2026-01-10", "2026-07-09", Verdict.RESTRICTED),
        example(Kind.WARNING, "2026-01-10", "2026-07-10", Verdict.RESTRICTED),
        example(Kind.WARNING, "2026-01-10", "2026-07-11", Verdict.CLEAR),
        example(Kind.DEMERIT, "2025-03-01", "2026-02-28", Verdict.RESTRICTED),
        example(Kind.DEMERIT, "2025-03-01", "2026-03-02", Verdict.CLEAR),
        # Month-end clamping: 2025-08-31 + 6 months has no 31st, so it ends on 2026-02-28.
        example(Kind.WARNING, "2025-08-31", "2026-02-28", Verdict.RESTRICTED),
        example(Kind.WARNING, "2025-08-31", "2026-03-01", Verdict.CLEAR),
    ],
)
def test_award_named_examples(kind, decided, as_of, verdict):
    assert check([facts(GOV, kind, decided=decided)], Purpose.AWARD, as_of).verdict is verdict


def test_award_period_ending_in_a_shorter_month_ends_on_its_last_day():
    record = facts(GOV, Kind.WARNING, decided=date(2025, 8, 31))
    (finding,) = check([record], Purpose.AWARD, date(2025, 9, 1)).findings
    assert finding.restricts_until == date(2026, 2, 28)


@pytest.mark.parametrize("purpose", HIRING_PURPOSES, ids=lambda p: p.value)
def test_exam_ban_5y_restricts_through_the_fifth_anniversary(purpose):
    record = facts(Category.EXAM_MISCONDUCT, Kind.BAN_5Y, decided=date(2022, 6, 1))
    assert check([record], purpose, date(2027, 6, 1)).verdict is Verdict.RESTRICTED
    assert check([record], purpose, date(2027, 6, 2)).verdict is Verdict.CLEAR


@pytest.mark.parametrize("purpose", HIRING_PURPOSES, ids=lambda p: p.value)
def test_dismissal_within_five_years_asks_for_review_not_restriction(purpose):
    record = facts(Category.DISMISSAL, decided=date(2021, 3, 15))
    (finding,) = check([record], purpose, date(2024, 1, 1)).findings
    assert finding.outcome is Outcome.REVIEW


@pytest.mark.parametrize("purpose", HIRING_PURPOSES, ids=lambda p: p.value)
@pytest.mark.parametrize(
    "kind",
    [Kind.WARNING, Kind.DEMERIT, Kind.MAJOR_DEMERIT, Kind.DEMOTION, Kind.REMOVAL],
    ids=lambda k: k.value,
)
def test_government_sanction_short_of_expulsion_does_not_bar_hiring(kind, purpose):
    record = facts(GOV, kind, decided=date(2026, 1, 10))
    assert check([record], purpose, date(2026, 1, 11)).verdict is Verdict.CLEAR


@pytest.mark.parametrize("purpose", [Purpose.APPRAISAL, Purpose.PROCUREMENT], ids=lambda p: p.value)
def test_hiring_and_award_rules_do_not_answer_other_purposes(purpose):
    record = facts(Category.CRIMINAL_PUNISHMENT, decided=date(2000, 1, 1))
    assert check([record], purpose, date(2026, 1, 1)).verdict is Verdict.CLEAR


# --- 失信被执行人: restricted while listed ------------------------------------------------


@pytest.mark.parametrize("purpose", HIRING_PURPOSES, ids=lambda p: p.value)
def test_defaulter_listed_without_an_end_restricts_hiring(purpose):
    record = facts(DEFAULTER, decided=date(2019, 7, 9))
    evaluation = check([record], purpose, date(2049, 7, 9))
    assert evaluation.verdict is Verdict.RESTRICTED
    assert [(f.rule.id, f.restricts_until) for f in evaluation.findings] == [
        ("HIRE-DEFAULTER", None)
    ]


@pytest.mark.parametrize("purpose", HIRING_PURPOSES, ids=lambda p: p.value)
def test_defaulter_restricts_through_the_day_the_listing_ends(purpose):
    record = facts(DEFAULTER, decided=date(2019, 7, 9), until=date(2026, 3, 31))
    (finding,) = check([record], purpose, date(2026, 3, 31)).findings
    assert finding.outcome is Outcome.RESTRICTED
    assert finding.restricts_until == date(2026, 3, 31)


@pytest.mark.parametrize("purpose", HIRING_PURPOSES, ids=lambda p: p.value)
def test_defaulter_whose_listing_ended_is_clear(purpose):
    record = facts(DEFAULTER, decided=date(2019, 7, 9), until=date(2026, 3, 31))
    assert check([record], purpose, date(2026, 4, 1)).verdict is Verdict.CLEAR


def test_defaulter_listing_does_not_restrict_award_by_itself():
    record = facts(DEFAULTER, decided=date(2019, 7, 9))
    assert check([record], Purpose.AWARD, date(2020, 1, 1)).verdict is Verdict.CLEAR


# --- record status -------------------------------------------------------------------------

ENDED = [Status.REVOKED, Status.CORRECTED, Status.REPAIRED, Status.EXPIRED]


@pytest.mark.parametrize("status", ENDED, ids=lambda s: s.value)
def test_defaulter_listing_no_longer_in_force_never_restricts(status):
    record = facts(DEFAULTER, decided=date(2019, 7, 9), status=status)
    assert check([record], Purpose.HIRING, date(2020, 1, 1)).verdict is Verdict.CLEAR


def test_active_record_is_not_disputed():
    record = facts(Category.CRIMINAL_PUNISHMENT, decided=date(2000, 1, 1))
    (finding,) = check([record], Purpose.HIRING, date(2026, 1, 1)).findings
    assert finding.disputed is False


def test_record_under_objection_outside_its_window_is_clear():
    record = facts(GOV, Kind.WARNING, decided=date(2026, 1, 10), status=Status.UNDER_OBJECTION)
    assert check([record], Purpose.AWARD, date(2026, 7, 11)).verdict is Verdict.CLEAR


# --- several records -----------------------------------------------------------------------


def test_restriction_wins_over_review():
    dismissal = facts(Category.DISMISSAL, decided=date(2024, 1, 1), record_id=1)
    criminal = facts(Category.CRIMINAL_PUNISHMENT, decided=date(2000, 1, 1), record_id=2)
    evaluation = check([dismissal, criminal], Purpose.HIRING, date(2026, 1, 1))
    assert evaluation.verdict is Verdict.RESTRICTED


def test_restriction_wins_over_a_disputed_record():
    disputed = facts(
        Category.CRIMINAL_PUNISHMENT,
        decided=date(2000, 1, 1),
        status=Status.UNDER_OBJECTION,
        record_id=1,
    )
    banned = facts(Category.EXAM_MISCONDUCT, Kind.BAN_LIFE, decided=date(2018, 1, 1), record_id=2)
    assert check([disputed, banned], Purpose.HIRING, date(2026, 1, 1)).verdict is (
        Verdict.RESTRICTED
    )


def test_findings_list_restrictions_before_reviews():
    dismissal = facts(Category.DISMISSAL, decided=date(2024, 1, 1), record_id=1)
    disputed = facts(
        Category.EXAM_MISCONDUCT,
        Kind.BAN_5Y,
        decided=date(2023, 1, 1),
        status=Status.UNDER_OBJECTION,
        record_id=2,
    )
    criminal = facts(Category.CRIMINAL_PUNISHMENT, decided=date(2000, 1, 1), record_id=3)
    findings = check([dismissal, disputed, criminal], Purpose.HIRING, date(2026, 1, 1)).findings
    assert [f.outcome for f in findings] == [Outcome.RESTRICTED, Outcome.REVIEW, Outcome.REVIEW]
    assert findings[0].record is criminal


def test_every_matching_record_is_reported():
    warning = facts(GOV, Kind.WARNING, decided=date(2026, 1, 10), record_id=1)
    party = facts(PARTY, Kind.PARTY_WARNING, decided=date(2025, 12, 1), record_id=2)
    findings = check([warning, party], Purpose.AWARD, date(2026, 2, 1)).findings
    assert {f.rule.id for f in findings} == {"AWARD-GOV-WARNING", "AWARD-PARTY-WARNING"}


def test_evaluation_names_the_rule_set_version():
    assert check([], Purpose.HIRING, date(2026, 1, 1)).ruleset_version == RULESET.version


def test_no_records_is_clear():
    assert check([], Purpose.AWARD, date(2026, 1, 1)).verdict is Verdict.CLEAR
