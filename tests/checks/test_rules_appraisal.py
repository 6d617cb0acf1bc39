"""年度考核 (APPRAISAL): the table of RULES.md §3. The appraisal year is an input (default: the
calendar year of asOf); a record decided (党纪: approved) in year Y counts from year Y; the
heaviest effect decides; any effect restricts, a disputed one asks for review."""

from __future__ import annotations

from datetime import date

import pytest
from rule_cases import ACCOUNT, GOV, ORG, PARTY, Category, Effect, Kind, check, facts

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.checks.rules import AppraisalOutcome
from hub.records.enums import ObjectionKind, RecordCategory, SanctionKind, Severity

APPRAISAL = Purpose.APPRAISAL
CLEAR = None
DISPUTED = ObjectionKind.DATA_ERROR
NANJING = "320102"


def appraisal_on(
    records, as_of: date, *, region: str | None = None, year: int | None = None
) -> AppraisalOutcome:
    evaluation = check(records, APPRAISAL, as_of, region=region, appraisal_year=year)
    assert evaluation.appraisal is not None
    effect = evaluation.appraisal.effect
    assert evaluation.verdict is (Verdict.CLEAR if effect is None else Verdict.RESTRICTED)
    return evaluation.appraisal


def year_by_year(category: RecordCategory, kind: SanctionKind, decided: str, *expected):
    return pytest.param(
        category,
        kind,
        date.fromisoformat(decided),
        expected,
        id=f"{kind.value}-{decided}",
    )


# (as_of, effect) pairs on both sides of each year boundary.
@pytest.mark.parametrize(
    ("category", "kind", "decided", "expected"),
    [
        year_by_year(
            PARTY,
            Kind.PARTY_PROBATION_2Y,
            "2025-03-10",
            ("2025-03-09", CLEAR),
            ("2025-03-10", Effect.INCOMPETENT),
            ("2025-12-31", Effect.INCOMPETENT),
            ("2026-01-01", Effect.NO_GRADE),
            ("2027-12-31", Effect.NO_GRADE),
            ("2028-01-01", CLEAR),
        ),
        year_by_year(
            PARTY,
            Kind.PARTY_PROBATION_1Y,
            "2025-03-10",
            ("2025-12-31", Effect.INCOMPETENT),
            ("2026-01-01", Effect.NO_GRADE),
            ("2026-12-31", Effect.NO_GRADE),
            ("2027-01-01", CLEAR),
        ),
        year_by_year(
            PARTY,
            Kind.PARTY_EXPULSION,
            "2024-11-30",
            ("2024-12-31", Effect.INCOMPETENT),
            ("2025-01-01", Effect.NO_GRADE),
            ("2026-12-31", Effect.NO_GRADE),
            ("2027-01-01", CLEAR),
        ),
        year_by_year(
            PARTY,
            Kind.PARTY_POST_REMOVAL,
            "2026-04-01",
            ("2026-12-31", Effect.INCOMPETENT),
            ("2027-01-01", CLEAR),
        ),
        year_by_year(
            GOV,
            Kind.MAJOR_DEMERIT,
            "2025-05-15",
            ("2025-05-15", Effect.NO_GRADE),
            ("2026-12-31", Effect.NO_GRADE),
            ("2027-01-01", CLEAR),
        ),
        year_by_year(
            GOV,
            Kind.WARNING,
            "2026-01-10",
            ("2026-12-31", Effect.NOT_EXCELLENT),
            ("2027-01-01", CLEAR),
        ),
        year_by_year(
            GOV,
            Kind.DEMERIT,
            "2025-03-01",
            ("2025-12-31", Effect.NO_GRADE),
            ("2026-01-01", CLEAR),
        ),
        year_by_year(
            ACCOUNT,
            Kind.ADMONISHMENT,
            "2025-12-31",
            ("2025-12-31", Effect.NOT_EXCELLENT),
            ("2026-01-01", CLEAR),
        ),
    ],
)
def test_effect_year_by_year(category, kind, decided, expected):
    record = facts(category, kind, decided=decided)
    for as_of, effect in expected:
        outcome = appraisal_on([record], date.fromisoformat(as_of))
        assert (as_of, outcome.effect) == (as_of, effect)
        assert outcome.year == date.fromisoformat(as_of).year


def test_staged_effect_reports_the_years_of_the_current_stage():
    record = facts(PARTY, Kind.PARTY_PROBATION_2Y, decided=date(2025, 3, 10))
    (first,) = check([record], APPRAISAL, date(2025, 6, 1)).findings
    (later,) = check([record], APPRAISAL, date(2026, 6, 1)).findings
    assert (first.effect, first.effect_years) == (Effect.INCOMPETENT, (2025,))
    assert (later.effect, later.effect_years) == (Effect.NO_GRADE, (2026, 2027))
    assert first.restricts_until == later.restricts_until == date(2027, 12, 31)


def test_two_year_effect_reports_both_years():
    record = facts(GOV, Kind.REMOVAL, decided=date(2025, 5, 15))
    (finding,) = check([record], APPRAISAL, date(2026, 3, 1)).findings
    assert (finding.effect, finding.effect_years) == (Effect.NO_GRADE, (2025, 2026))


def test_calendar_effect_outlasts_a_shorter_sanction_period():
    # 记大过's 18 months end in November 2026, but the table says "that year and the next".
    record = facts(GOV, Kind.MAJOR_DEMERIT, decided=date(2025, 5, 15), until=date(2026, 11, 15))
    assert appraisal_on([record], date(2026, 12, 20)).effect is Effect.NO_GRADE


# --- several records: the heaviest effect decides ----------------------------------------

WARNING = facts(GOV, Kind.WARNING, decided=date(2026, 2, 1), record_id=1)
MAJOR = facts(GOV, Kind.MAJOR_DEMERIT, decided=date(2025, 5, 15), record_id=2)
ADMONISHED = facts(ACCOUNT, Kind.ADMONISHMENT, decided=date(2026, 3, 1), record_id=3)
POST_REMOVED = facts(PARTY, Kind.PARTY_POST_REMOVAL, decided=date(2026, 4, 1), record_id=4)


def test_no_grade_outweighs_not_excellent():
    assert appraisal_on([WARNING, MAJOR, ADMONISHED], date(2026, 12, 1)).effect is Effect.NO_GRADE


def test_incompetent_outweighs_no_grade():
    records = [WARNING, MAJOR, ADMONISHED, POST_REMOVED]
    assert appraisal_on(records, date(2026, 12, 1)).effect is Effect.INCOMPETENT


def test_every_record_is_reported_heaviest_first():
    findings = check([WARNING, POST_REMOVED, ADMONISHED, MAJOR], APPRAISAL, date(2026, 12, 1))
    assert [f.effect for f in findings.findings] == [
        Effect.INCOMPETENT,
        Effect.NO_GRADE,
        Effect.NOT_EXCELLENT,
        Effect.NOT_EXCELLENT,
    ]


def test_a_heavier_effect_from_an_earlier_year_still_decides():
    # 开除党籍 in 2024: no grade in 2026 — heavier than a 2026 警告.
    expelled = facts(PARTY, Kind.PARTY_EXPULSION, decided=date(2024, 11, 30), record_id=5)
    assert appraisal_on([WARNING, expelled], date(2026, 6, 1)).effect is Effect.NO_GRADE


def test_no_records_is_a_clear_appraisal_of_the_year():
    assert check([], APPRAISAL, date(2026, 12, 1)).appraisal == AppraisalOutcome(2026, None)


# --- records under objection -------------------------------------------------------------


def test_disputed_effect_asks_for_review_and_says_so():
    disputed = facts(PARTY, Kind.PARTY_POST_REMOVAL, decided=date(2026, 4, 1), objection=DISPUTED)
    evaluation = check([disputed], APPRAISAL, date(2026, 12, 1))
    assert evaluation.verdict is Verdict.REVIEW
    assert evaluation.appraisal == AppraisalOutcome(2026, Effect.INCOMPETENT, disputed=True)
    (finding,) = evaluation.findings
    assert (finding.outcome, finding.disputed) == (Outcome.REVIEW, True)


def test_undisputed_lighter_effect_still_restricts_beside_a_disputed_heavier_one():
    disputed = facts(
        PARTY,
        Kind.PARTY_POST_REMOVAL,
        decided=date(2026, 4, 1),
        objection=DISPUTED,
        record_id=9,
    )
    evaluation = check([disputed, WARNING], APPRAISAL, date(2026, 12, 1))
    assert evaluation.verdict is Verdict.RESTRICTED
    assert evaluation.appraisal == AppraisalOutcome(2026, Effect.INCOMPETENT, disputed=True)


def test_heaviest_effect_is_undisputed_when_one_undisputed_record_carries_it():
    disputed = facts(GOV, Kind.DEMERIT, decided=date(2026, 4, 1), objection=DISPUTED, record_id=9)
    outcome = check([disputed, MAJOR], APPRAISAL, date(2026, 12, 1)).appraisal
    assert outcome == AppraisalOutcome(2026, Effect.NO_GRADE, disputed=False)


# --- 立案审查调查未结案: no grade while open ----------------------------------------------

INVESTIGATION = Category.INVESTIGATION_OPEN


def test_open_investigation_without_an_end_means_no_grade():
    record = facts(INVESTIGATION, decided=date(2024, 2, 1))
    (finding,) = check([record], APPRAISAL, date(2026, 12, 1)).findings
    assert (finding.effect, finding.restricts_until) == (Effect.NO_GRADE, None)


@pytest.mark.parametrize(
    ("as_of", "effect"),
    [("2026-10-15", Effect.NO_GRADE), ("2026-10-16", CLEAR)],
)
def test_investigation_counts_through_the_day_it_is_closed(as_of, effect):
    record = facts(INVESTIGATION, decided=date(2026, 2, 1), until=date(2026, 10, 15))
    assert appraisal_on([record], date.fromisoformat(as_of)).effect is effect


def test_open_investigation_outweighs_a_warning():
    record = facts(INVESTIGATION, decided=date(2026, 5, 1), record_id=7)
    assert appraisal_on([WARNING, record], date(2026, 12, 1)).effect is Effect.NO_GRADE


# --- 政务失信单位和相关责任人: not 优秀 ------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "effect"), [("2027-05-01", Effect.NOT_EXCELLENT), ("2027-05-02", CLEAR)]
)
def test_organization_with_arrears_is_not_excellent_while_published(as_of, effect):
    record = facts(
        Category.PAYMENT_ARREARS, decided=date(2026, 5, 1), subject=ORG, severity=Severity.GENERAL
    )
    assert appraisal_on([record], date.fromisoformat(as_of), region=NANJING).effect is effect


@pytest.mark.parametrize(
    ("as_of", "effect"), [("2026-06-30", Effect.NOT_EXCELLENT), ("2026-07-01", CLEAR)]
)
def test_organization_listed_as_defaulter_is_not_excellent_while_listed(as_of, effect):
    record = facts(
        Category.JUDGMENT_DEFAULTER, decided=date(2025, 5, 5), subject=ORG, until=date(2026, 6, 30)
    )
    assert appraisal_on([record], date.fromisoformat(as_of), region=NANJING).effect is effect


def test_person_named_for_a_broken_promise_is_not_excellent_in_nanjing():
    record = facts(Category.PROMISE_BROKEN, decided=date(2026, 6, 15), severity=Severity.MINOR)
    assert appraisal_on([record], date(2026, 9, 15), region=NANJING).effect is Effect.NOT_EXCELLENT
    assert appraisal_on([record], date(2026, 9, 16), region=NANJING).effect is CLEAR


def test_the_nanjing_document_does_not_grade_people_elsewhere():
    # 宁政发〔2024〕89号 binds Nanjing only (item 13): a 江州 agency's appraisal is not touched.
    record = facts(Category.PROMISE_BROKEN, decided=date(2026, 6, 15), severity=Severity.MINOR)
    assert appraisal_on([record], date(2026, 9, 15), region="361202").effect is CLEAR
    assert appraisal_on([record], date(2026, 9, 15)).effect is CLEAR


# --- the appraisal year is an input ------------------------------------------------------


def test_a_check_in_january_judges_the_year_it_is_asked_about():
    # The appraisal of 2026 runs into January 2027: a 记过 of March 2026 takes 2026's grade.
    demerit = facts(GOV, Kind.DEMERIT, decided=date(2026, 3, 1))
    assert appraisal_on([demerit], date(2027, 1, 10), year=2026).effect is Effect.NO_GRADE
    assert appraisal_on([demerit], date(2027, 1, 10), year=2026).year == 2026
    # Asked about 2027 (the default on that day), the 记过 no longer counts.
    assert appraisal_on([demerit], date(2027, 1, 10)).effect is CLEAR


def test_a_record_decided_after_the_appraisal_year_does_not_touch_it():
    # Decided on 2027-01-05, before asOf but in 2027: the 2026 grade is not affected.
    warning = facts(GOV, Kind.WARNING, decided=date(2027, 1, 5))
    assert appraisal_on([warning], date(2027, 1, 10), year=2026).effect is CLEAR
    assert appraisal_on([warning], date(2027, 1, 10), year=2027).effect is Effect.NOT_EXCELLENT


def test_a_record_decided_after_asof_is_unknown_even_in_the_appraisal_year():
    warning = facts(GOV, Kind.WARNING, decided=date(2026, 12, 20))
    assert appraisal_on([warning], date(2026, 12, 19), year=2026).effect is CLEAR
    assert appraisal_on([warning], date(2026, 12, 20), year=2026).effect is Effect.NOT_EXCELLENT


@pytest.mark.parametrize(
    ("kind", "decided", "year", "effect"),
    [
        (Kind.REMOVAL_FROM_POST, "2026-12-31", 2026, Effect.NO_GRADE),
        (Kind.REMOVAL_FROM_POST, "2026-12-31", 2027, CLEAR),
        (Kind.ORDERED_RESIGNATION, "2026-01-01", 2026, Effect.NO_GRADE),
        (Kind.ORDERED_RESIGNATION, "2026-01-01", 2025, CLEAR),
        (Kind.POST_DEMOTION, "2026-06-01", 2026, Effect.NO_GRADE),
    ],
)
def test_organizational_handling_leaves_the_year_without_a_grade(kind, decided, year, effect):
    # 责令辞职 / 免职 / 降职: 当年不确定等次 (item 4), not merely 不得确定为优秀.
    record = facts(ACCOUNT, kind, decided=date.fromisoformat(decided))
    assert appraisal_on([record], date(2027, 1, 15), year=year).effect is effect


@pytest.mark.parametrize(
    "category", [Category.CRIMINAL_PUNISHMENT, Category.DISMISSAL, Category.EXAM_MISCONDUCT]
)
def test_records_outside_the_table_do_not_touch_the_grade(category):
    kind = Kind.BAN_LIFE if category is Category.EXAM_MISCONDUCT else None
    assert (
        appraisal_on([facts(category, kind, decided=date(2026, 1, 5))], date(2026, 6, 1)).effect
        is CLEAR
    )
