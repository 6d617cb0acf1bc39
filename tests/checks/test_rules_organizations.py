"""Organizations: 评优评先 (AWARD) and 采购人信用 (PROCUREMENT), with publicity periods by tier
(信用修复管理办法, 令2025年第36号, in force 2026-04-01; before it 令2023年第58号 capped 行政处罚
information at 3 years, and the tiers apply to the rest).

Boundary: publicity of N months counts like every period here (民法典 Art. 201–202): a
一般 record decided 2026-05-01 is published through 2027-05-01 and no longer on 2027-05-02.
"""

from __future__ import annotations

from datetime import date

import pytest
from rule_cases import ORG, RULESET, Category, check, facts

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.checks.rules import procurement_profile
from hub.records.enums import ObjectionKind, RecordCategory, Severity

PROCUREMENT, AWARD = Purpose.PROCUREMENT, Purpose.AWARD
# 政务失信 of a body (RULES.md §3–§5).
BODY_DISHONESTY = [
    Category.JUDGMENT_DEFAULTER,
    Category.COURT_JUDGMENT,
    Category.PAYMENT_ARREARS,
    Category.PROCUREMENT_BREACH,
    Category.PPP_DEFAULT,
    Category.PROMISE_BROKEN,
    Category.STATISTICS_FRAUD,
    Category.ADMINISTRATIVE_PENALTY,
]
PUBLISHED = [
    Category.PAYMENT_ARREARS,
    Category.PROCUREMENT_BREACH,
    Category.PPP_DEFAULT,
    Category.COURT_JUDGMENT,
]


def body(category: RecordCategory, decided: str, severity: Severity | None = None, **extra):
    return facts(
        category, decided=date.fromisoformat(decided), subject=ORG, severity=severity, **extra
    )


def verdict(records, purpose: Purpose, as_of: str) -> Verdict:
    return check(records, purpose, date.fromisoformat(as_of)).verdict


# --- PROCUREMENT -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"), [("2027-05-01", Verdict.REVIEW), ("2027-05-02", Verdict.CLEAR)]
)
def test_general_arrears_ask_for_review_through_the_first_anniversary(as_of, expected):
    arrears = body(Category.PAYMENT_ARREARS, "2026-05-01", Severity.GENERAL)
    assert verdict([arrears], PROCUREMENT, as_of) is expected


@pytest.mark.parametrize(
    ("severity", "decided", "last_day", "day_after"),
    [
        (Severity.MINOR, "2026-04-01", "2026-07-01", "2026-07-02"),
        (Severity.GENERAL, "2026-04-01", "2027-04-01", "2027-04-02"),
        (Severity.SERIOUS, "2026-04-01", "2029-04-01", "2029-04-02"),
        (None, "2026-04-01", "2029-04-01", "2029-04-02"),
        # Decided before 令2025年第36号: 58号令's 3 years covered 行政处罚 only (item 14).
        (Severity.MINOR, "2026-03-31", "2026-06-30", "2026-07-01"),
        (Severity.GENERAL, "2025-11-30", "2026-11-30", "2026-12-01"),
    ],
)
@pytest.mark.parametrize("category", PUBLISHED, ids=lambda c: c.value)
def test_publicity_term_by_tier_and_regime(category, severity, decided, last_day, day_after):
    record = body(category, decided, severity)
    (finding,) = check([record], PROCUREMENT, date.fromisoformat(decided)).findings
    assert (finding.outcome, finding.restricts_until) == (
        Outcome.REVIEW,
        date.fromisoformat(last_day),
    )
    assert verdict([record], PROCUREMENT, last_day) is Verdict.REVIEW
    assert verdict([record], PROCUREMENT, day_after) is Verdict.CLEAR


@pytest.mark.parametrize(
    ("decided", "last_day"),
    [("2026-03-31", "2029-03-31"), ("2026-04-01", "2026-07-01")],
)
def test_administrative_penalty_decided_before_the_new_measures_keeps_three_years(
    decided, last_day
):
    penalty = body(Category.ADMINISTRATIVE_PENALTY, decided, Severity.MINOR)
    (finding,) = check([penalty], AWARD, date.fromisoformat(decided)).findings
    assert finding.restricts_until == date.fromisoformat(last_day)


def test_publicity_ended_early_by_the_source_ends_the_review():
    arrears = body(
        Category.PAYMENT_ARREARS, "2026-05-01", Severity.SERIOUS, until=date(2026, 9, 30)
    )
    assert verdict([arrears], PROCUREMENT, "2026-09-30") is Verdict.REVIEW
    assert verdict([arrears], PROCUREMENT, "2026-10-01") is Verdict.CLEAR


def test_a_listed_purchaser_is_a_matter_for_review_shown_first():
    # Item 11: the procurement bars are for suppliers; a purchaser's listing goes to review
    # (若干规定 Art. 8 notifies its superior), and the profile shows it first.
    listed = body(Category.JUDGMENT_DEFAULTER, "2019-07-09", record_id=1)
    arrears = body(Category.PAYMENT_ARREARS, "2026-05-01", Severity.GENERAL, record_id=2)
    evaluation = check([arrears, listed], PROCUREMENT, date(2026, 6, 1))
    assert evaluation.verdict is Verdict.REVIEW
    finding = next(f for f in evaluation.findings if f.rule.id == "PROC-DEFAULTER")
    assert (finding.outcome, finding.restricts_until) == (Outcome.REVIEW, None)
    assert evaluation.profile is not None and evaluation.profile.listed_as_defaulter
    assert evaluation.profile.open_items[0].record is listed


def test_deleted_listing_no_longer_asks_for_review():
    listed = body(Category.JUDGMENT_DEFAULTER, "2019-07-09", until=date(2026, 3, 31))
    assert verdict([listed], PROCUREMENT, "2026-03-31") is Verdict.REVIEW
    assert verdict([listed], PROCUREMENT, "2026-04-01") is Verdict.CLEAR


def test_disputed_listing_asks_for_review():
    listed = body(Category.JUDGMENT_DEFAULTER, "2026-01-01", objection=ObjectionKind.DATA_ERROR)
    (finding,) = check([listed], PROCUREMENT, date(2026, 6, 1)).findings
    assert (finding.outcome, finding.disputed) == (Outcome.REVIEW, True)


@pytest.mark.parametrize(
    "category",
    [Category.PROMISE_BROKEN, Category.STATISTICS_FRAUD, Category.ADMINISTRATIVE_PENALTY],
)
def test_other_body_records_do_not_restrict_procurement(category):
    assert (
        verdict([body(category, "2026-05-01", Severity.SERIOUS)], PROCUREMENT, "2026-06-01")
        is Verdict.CLEAR
    )


def test_procurement_is_about_the_purchaser_not_a_person():
    person = facts(Category.PAYMENT_ARREARS, decided=date(2026, 5, 1), severity=Severity.SERIOUS)
    assert verdict([person], PROCUREMENT, "2026-06-01") is Verdict.CLEAR


def test_procurement_evaluation_carries_the_profile():
    records = [body(Category.PAYMENT_ARREARS, "2026-05-01", Severity.GENERAL)]
    evaluation = check(records, PROCUREMENT, date(2026, 6, 1))
    assert evaluation.profile == procurement_profile(
        records, date(2026, 6, 1), RULESET.publicity, RULESET.listing
    )


@pytest.mark.parametrize(
    "purpose", [p for p in Purpose if p is not PROCUREMENT], ids=lambda p: p.value
)
def test_other_purposes_carry_no_profile(purpose):
    records = [body(Category.PAYMENT_ARREARS, "2026-05-01", Severity.GENERAL)]
    assert check(records, purpose, date(2026, 6, 1)).profile is None


# --- AWARD: 政务失信 bodies lose honours eligibility -----------------------------------------


@pytest.mark.parametrize("category", BODY_DISHONESTY, ids=lambda c: c.value)
def test_body_with_a_published_dishonesty_record_may_not_be_honoured(category):
    record = body(category, "2026-05-01", Severity.GENERAL)
    (finding,) = check([record], AWARD, date(2026, 12, 1)).findings
    assert finding.outcome is Outcome.RESTRICTED
    assert "号" in finding.rule.legal_basis


@pytest.mark.parametrize(
    ("as_of", "expected"), [("2027-05-01", Verdict.RESTRICTED), ("2027-05-02", Verdict.CLEAR)]
)
def test_body_award_restriction_ends_with_publicity(as_of, expected):
    record = body(Category.PAYMENT_ARREARS, "2026-05-01", Severity.GENERAL)
    assert verdict([record], AWARD, as_of) is expected


def test_a_repaired_body_may_be_honoured_again_from_the_repair():
    record = body(
        Category.PAYMENT_ARREARS, "2026-05-01", Severity.GENERAL, repaired_on=date(2026, 9, 1)
    )
    assert verdict([record], AWARD, "2026-08-31") is Verdict.RESTRICTED
    assert verdict([record], AWARD, "2026-09-01") is Verdict.CLEAR


def test_body_listed_as_defaulter_may_not_be_honoured_while_listed():
    listed = body(Category.JUDGMENT_DEFAULTER, "2024-01-15")
    assert verdict([listed], AWARD, "2034-01-15") is Verdict.RESTRICTED


def test_person_rules_do_not_apply_to_bodies():
    # Sanction rules are for persons; a stray body record of that category restricts nothing.
    record = facts(Category.CRIMINAL_PUNISHMENT, decided=date(2020, 1, 1), subject=ORG)
    for purpose in Purpose:
        assert check([record], purpose, date(2026, 1, 1)).verdict is Verdict.CLEAR
