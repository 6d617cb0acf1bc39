"""录用/调任 (HIRING, TRANSFER) and 评优评先 (AWARD) for persons: the named examples and the
cases the per-rule table (test_rules_every_rule.py) does not show.

Periods are counted as 民法典 Art. 201–202 count them: a period of N months ends on the
corresponding day of the N-th month (that month's last day when it has no such day), and
that last day is still restricted.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rule_cases import DEFAULTER, GOV, PARTY, RULESET, Category, Kind, Status, check, facts

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.records.enums import ObjectionKind, SanctionKind, Severity

HIRING_PURPOSES = [Purpose.HIRING, Purpose.TRANSFER]
DISPUTED = ObjectionKind.DATA_ERROR
REVIEWING = ObjectionKind.SANCTION_REVIEW


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


def test_exam_ban_5y_restricts_hiring_through_the_fifth_anniversary():
    record = facts(Category.EXAM_MISCONDUCT, Kind.BAN_5Y, decided=date(2022, 6, 1))
    assert check([record], Purpose.HIRING, date(2027, 6, 1)).verdict is Verdict.RESTRICTED
    assert check([record], Purpose.HIRING, date(2027, 6, 2)).verdict is Verdict.CLEAR


@pytest.mark.parametrize("kind", [Kind.BAN_5Y, Kind.BAN_LIFE], ids=lambda k: k.value)
def test_an_exam_ban_restricts_the_exam_not_a_transfer(kind):
    # Item 10: the ban is on 报考; Art. 70 brings only Art. 26 into 调任.
    record = facts(Category.EXAM_MISCONDUCT, kind, decided=date(2024, 6, 1))
    assert check([record], Purpose.HIRING, date(2026, 6, 1)).verdict is Verdict.RESTRICTED
    assert check([record], Purpose.TRANSFER, date(2026, 6, 1)).verdict is Verdict.CLEAR


def test_dismissal_within_five_years_asks_for_review_in_hiring_only():
    record = facts(Category.DISMISSAL, decided=date(2021, 3, 15))
    (finding,) = check([record], Purpose.HIRING, date(2024, 1, 1)).findings
    assert finding.outcome is Outcome.REVIEW
    assert "录用规定" in finding.rule.legal_basis
    assert check([record], Purpose.TRANSFER, date(2024, 1, 1)).findings == ()


@pytest.mark.parametrize(
    "kind",
    [Kind.WARNING, Kind.DEMERIT, Kind.MAJOR_DEMERIT, Kind.DEMOTION, Kind.REMOVAL],
    ids=lambda k: k.value,
)
def test_government_sanction_short_of_expulsion_does_not_bar_hiring(kind):
    record = facts(GOV, kind, decided=date(2026, 1, 10))
    assert check([record], Purpose.HIRING, date(2026, 1, 11)).verdict is Verdict.CLEAR


@pytest.mark.parametrize(
    ("kind", "last_day"),
    [
        (Kind.WARNING, "2026-07-10"),
        (Kind.DEMERIT, "2027-01-10"),
        (Kind.MAJOR_DEMERIT, "2027-07-10"),
        (Kind.DEMOTION, "2028-01-10"),
        (Kind.REMOVAL, "2028-01-10"),
    ],
    ids=lambda v: getattr(v, "value", v),
)
def test_a_sanction_bars_transfer_through_its_period(kind, last_day):
    # Item 3: 《公务员调任规定》 — not during a 处分期间.
    record = facts(GOV, kind, decided=date(2026, 1, 10))
    last = date.fromisoformat(last_day)
    assert check([record], Purpose.TRANSFER, last).verdict is Verdict.RESTRICTED
    assert check([record], Purpose.TRANSFER, last + timedelta(days=1)).verdict is Verdict.CLEAR


def test_an_open_investigation_bars_transfer_until_closed_and_not_hiring():
    record = facts(Category.INVESTIGATION_OPEN, decided=date(2026, 3, 1))
    assert check([record], Purpose.TRANSFER, date(2036, 3, 1)).verdict is Verdict.RESTRICTED
    assert check([record], Purpose.HIRING, date(2026, 3, 2)).verdict is Verdict.CLEAR
    closed = facts(Category.INVESTIGATION_OPEN, decided=date(2026, 3, 1), until=date(2026, 9, 30))
    assert check([closed], Purpose.TRANSFER, date(2026, 10, 1)).verdict is Verdict.CLEAR


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


def test_a_listed_person_is_a_matter_for_review_in_an_award():
    # Item 7: 中办发〔2016〕64号 makes a listing an important reference, not a bar.
    record = facts(DEFAULTER, decided=date(2019, 7, 9))
    (finding,) = check([record], Purpose.AWARD, date(2020, 1, 1)).findings
    assert (finding.rule.id, finding.outcome) == ("AWARD-PERSON-DEFAULTER", Outcome.REVIEW)


@pytest.mark.parametrize(
    ("ground", "as_of", "verdict"),
    [
        (2, "2026-07-09", Verdict.RESTRICTED),
        (2, "2026-07-10", Verdict.CLEAR),
        (6, "2026-07-09", Verdict.RESTRICTED),
        (6, "2026-07-10", Verdict.CLEAR),
        (1, "2036-07-10", Verdict.RESTRICTED),
        (None, "2036-07-10", Verdict.RESTRICTED),
    ],
)
def test_a_listing_without_an_end_lasts_two_years_on_grounds_two_to_six(ground, as_of, verdict):
    # 若干规定 Art. 2: grounds (二)–(六) two years from listing; (一) until deleted; a ground the
    # source did not state is read as (一), so nothing ends too early.
    record = facts(DEFAULTER, decided=date(2024, 7, 9), listing_ground=ground)
    assert check([record], Purpose.HIRING, date.fromisoformat(as_of)).verdict is verdict


# --- source status, objections, repair -----------------------------------------------------

ENDED = [Status.REVOKED, Status.CORRECTED]


@pytest.mark.parametrize("status", ENDED, ids=lambda s: s.value)
def test_defaulter_listing_withdrawn_by_the_court_never_restricts(status):
    record = facts(DEFAULTER, decided=date(2019, 7, 9), status=status)
    assert check([record], Purpose.HIRING, date(2020, 1, 1)).verdict is Verdict.CLEAR


def test_active_record_is_not_disputed():
    record = facts(Category.CRIMINAL_PUNISHMENT, decided=date(2000, 1, 1))
    (finding,) = check([record], Purpose.HIRING, date(2026, 1, 1)).findings
    assert (finding.disputed, finding.pending_review) == (False, False)


def test_record_under_objection_outside_its_window_is_clear():
    record = facts(GOV, Kind.WARNING, decided=date(2026, 1, 10), objection=DISPUTED)
    assert check([record], Purpose.AWARD, date(2026, 7, 11)).verdict is Verdict.CLEAR


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        (GOV, Kind.EXPULSION),
        (PARTY, Kind.PARTY_EXPULSION),
        (Category.CRIMINAL_PUNISHMENT, None),
    ],
)
def test_a_repair_never_lifts_a_statutory_hiring_bar(category, kind):
    # Item 6: 信用修复 ends publicity and 失信惩戒 measures, not 公务员法 Art. 26.
    record = facts(category, kind, decided=date(2020, 1, 1), repaired_on=date(2024, 1, 1))
    assert check([record], Purpose.HIRING, date(2026, 1, 1)).verdict is Verdict.RESTRICTED


def test_a_repair_never_lifts_a_sanction_period():
    record = facts(GOV, Kind.DEMERIT, decided=date(2026, 1, 10), repaired_on=date(2026, 2, 1))
    (finding,) = check([record], Purpose.AWARD, date(2026, 6, 1)).findings
    assert (finding.outcome, finding.restricts_until) == (Outcome.RESTRICTED, date(2027, 1, 10))


def test_a_repair_lifts_the_hunan_award_measure_from_its_day():
    record = facts(
        Category.PROMISE_BROKEN,
        decided=date(2026, 5, 20),
        severity=Severity.GENERAL,
        repaired_on=date(2026, 9, 1),
    )
    hunan = "430102"
    before = check([record], Purpose.AWARD, date(2026, 8, 31), region=hunan)
    assert before.verdict is Verdict.RESTRICTED
    assert check([record], Purpose.AWARD, date(2026, 9, 1), region=hunan).verdict is Verdict.CLEAR


def test_a_pending_sanction_review_keeps_the_sanction_restricting():
    # Item 9 / 政务处分法 Art. 56: 复审、复核期间不停止执行.
    record = facts(GOV, Kind.DEMERIT, decided=date(2026, 1, 10), objection=REVIEWING)
    evaluation = check([record], Purpose.AWARD, date(2026, 6, 1))
    assert evaluation.verdict is Verdict.RESTRICTED
    (finding,) = evaluation.findings
    assert (finding.outcome, finding.pending_review, finding.disputed) == (
        Outcome.RESTRICTED,
        True,
        False,
    )


# --- AWARD: 诫勉 and 组织处理, open investigations (item 7) ----------------------------------


@pytest.mark.parametrize(
    ("kind", "last_day"),
    [
        (Kind.ADMONISHMENT, "2026-07-15"),
        (Kind.POST_ADJUSTMENT, "2027-01-15"),
        (Kind.ORDERED_RESIGNATION, "2028-01-15"),
        (Kind.REMOVAL_FROM_POST, "2028-01-15"),
        (Kind.POST_DEMOTION, "2028-01-15"),
    ],
    ids=lambda v: getattr(v, "value", v),
)
def test_organizational_handling_bars_awards_within_its_effect_period(kind, last_day):
    record = facts(Category.ACCOUNTABILITY, kind, decided=date(2026, 1, 15))
    last = date.fromisoformat(last_day)
    assert check([record], Purpose.AWARD, last).verdict is Verdict.RESTRICTED
    assert check([record], Purpose.AWARD, last + timedelta(days=1)).verdict is Verdict.CLEAR


def test_an_open_investigation_asks_for_review_of_an_award_until_closed():
    record = facts(Category.INVESTIGATION_OPEN, decided=date(2026, 3, 1), until=date(2026, 9, 30))
    assert check([record], Purpose.AWARD, date(2026, 9, 30)).verdict is Verdict.REVIEW
    assert check([record], Purpose.AWARD, date(2026, 10, 1)).verdict is Verdict.CLEAR


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
        objection=DISPUTED,
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
        objection=DISPUTED,
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
