"""The rule engine with the shipped rule set: 录用/调任 (HIRING, TRANSFER) and 评优评先 (AWARD).

Periods are counted as 民法典 Art. 201–202 count them: a period of N months ends on the
corresponding day of the N-th month (that month's last day when it has no such day), and
that last day is still restricted.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.checks.rules import Evaluation, RecordFacts, WindowKind, evaluate
from hub.checks.ruleset import current_ruleset
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, SubjectType

RULESET = current_ruleset()
HIRING_PURPOSES = [Purpose.HIRING, Purpose.TRANSFER]
THIRTY_YEARS = timedelta(days=30 * 366)

Category = RecordCategory
Kind = SanctionKind
Status = RecordStatus


def facts(
    category: RecordCategory,
    kind: SanctionKind | None = None,
    *,
    decided: date,
    status: RecordStatus = Status.ACTIVE,
    until: date | None = None,
    record_id: int = 1,
) -> RecordFacts:
    return RecordFacts(
        id=record_id,
        subject_type=SubjectType.PERSON,
        category=category,
        sanction_kind=kind,
        status=status,
        decided_at=decided,
        effective_until=until,
    )


def check(records: list[RecordFacts], purpose: Purpose, as_of: date) -> Evaluation:
    return evaluate(RULESET, records, purpose, as_of)


def months_later(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- one case per rule in the file: the record that triggers it and its last day ---------


@dataclass(frozen=True)
class Case:
    rule_id: str
    purposes: tuple[Purpose, ...]
    category: RecordCategory
    kind: SanctionKind | None
    decided: date
    last_day: date | None  # None: permanent

    def record(self, **overrides) -> RecordFacts:
        return facts(self.category, self.kind, decided=self.decided, **overrides)

    @property
    def name(self) -> str:
        # Two kinds share the 降级/撤职 rule, so the kind is part of the name.
        return f"{self.rule_id}/{self.kind.value}" if self.kind else self.rule_id

    def params(self):
        return [pytest.param(self, p, id=f"{self.name}-{p.value}") for p in self.purposes]


def triggers(rule_id, purposes, category, kind, decided: str, last_day: str | None) -> Case:
    end = date.fromisoformat(last_day) if last_day else None
    return Case(rule_id, purposes, category, kind, date.fromisoformat(decided), end)


HIRE = (Purpose.HIRING, Purpose.TRANSFER)
AWARD = (Purpose.AWARD,)
GOV = Category.GOVERNMENT_SANCTION
PARTY = Category.PARTY_DISCIPLINE
EXAM = Category.EXAM_MISCONDUCT
PERMANENTLY = None

CASES = [
    triggers("HIRE-CRIMINAL", HIRE, Category.CRIMINAL_PUNISHMENT, None, "1995-04-03", PERMANENTLY),
    triggers("HIRE-PARTY-EXPULSION", HIRE, PARTY, Kind.PARTY_EXPULSION, "2001-09-01", PERMANENTLY),
    triggers("HIRE-EXPULSION", HIRE, GOV, Kind.EXPULSION, "2010-12-31", PERMANENTLY),
    triggers("HIRE-EXAM-BAN-5Y", HIRE, EXAM, Kind.BAN_5Y, "2022-06-01", "2027-06-01"),
    triggers("HIRE-EXAM-BAN-LIFE", HIRE, EXAM, Kind.BAN_LIFE, "2016-05-20", PERMANENTLY),
    triggers("HIRE-DISMISSAL-5Y", HIRE, Category.DISMISSAL, None, "2021-03-15", "2026-03-15"),
    triggers("AWARD-GOV-WARNING", AWARD, GOV, Kind.WARNING, "2026-01-10", "2026-07-10"),
    triggers("AWARD-GOV-DEMERIT", AWARD, GOV, Kind.DEMERIT, "2025-03-01", "2026-03-01"),
    triggers("AWARD-GOV-MAJOR-DEMERIT", AWARD, GOV, Kind.MAJOR_DEMERIT, "2024-05-15", "2025-11-15"),
    triggers("AWARD-GOV-DEMOTION-REMOVAL", AWARD, GOV, Kind.DEMOTION, "2024-02-29", "2026-02-28"),
    triggers("AWARD-GOV-DEMOTION-REMOVAL", AWARD, GOV, Kind.REMOVAL, "2023-10-08", "2025-10-08"),
    triggers("AWARD-GOV-EXPULSION", AWARD, GOV, Kind.EXPULSION, "2012-07-01", PERMANENTLY),
    triggers("AWARD-PARTY-WARNING", AWARD, PARTY, Kind.PARTY_WARNING, "2025-06-30", "2026-06-30"),
    triggers(
        "AWARD-PARTY-SERIOUS-WARNING",
        AWARD,
        PARTY,
        Kind.PARTY_SERIOUS_WARNING,
        "2024-08-31",
        "2026-02-28",
    ),
    triggers(
        "AWARD-PARTY-POST-REMOVAL",
        AWARD,
        PARTY,
        Kind.PARTY_POST_REMOVAL,
        "2024-01-31",
        "2026-01-31",
    ),
    triggers(
        "AWARD-PARTY-PROBATION-1Y",
        AWARD,
        PARTY,
        Kind.PARTY_PROBATION_1Y,
        "2023-11-20",
        "2026-11-20",
    ),
    triggers(
        "AWARD-PARTY-PROBATION-2Y",
        AWARD,
        PARTY,
        Kind.PARTY_PROBATION_2Y,
        "2022-12-05",
        "2026-12-05",
    ),
    triggers(
        "AWARD-PARTY-EXPULSION", AWARD, PARTY, Kind.PARTY_EXPULSION, "2005-03-03", PERMANENTLY
    ),
]
ALL = [param for case in CASES for param in case.params()]
TIMED = [param for case in CASES if case.last_day for param in case.params()]
PERMANENT = [param for case in CASES if case.last_day is None for param in case.params()]

# 失信被执行人 is restricted while listed; its end comes from the source (effective_until).
DEFAULTER = Category.JUDGMENT_DEFAULTER
COVERED_ELSEWHERE = {"HIRE-DEFAULTER"}


def expected_outcome(case: Case) -> Verdict:
    return Verdict.REVIEW if case.rule_id == "HIRE-DISMISSAL-5Y" else Verdict.RESTRICTED


def test_every_rule_in_the_shipped_file_has_boundary_cases():
    covered = {case.rule_id for case in CASES} | COVERED_ELSEWHERE
    assert covered == {rule.id for rule in RULESET.rules}


def test_every_rule_in_the_shipped_file_is_for_hiring_transfer_or_award():
    # The cases above assume it; a new purpose needs its own test file.
    for rule in RULESET.rules:
        assert rule.purposes <= {Purpose.HIRING, Purpose.TRANSFER, Purpose.AWARD}


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_rule_applies_from_the_decision_day(case, purpose):
    evaluation = check([case.record()], purpose, case.decided)
    assert evaluation.verdict is expected_outcome(case)
    assert [f.rule.id for f in evaluation.findings] == [case.rule_id]


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_decided_after_the_check_date_is_ignored(case, purpose):
    evaluation = check([case.record()], purpose, case.decided - timedelta(days=1))
    assert evaluation.verdict is Verdict.CLEAR
    assert evaluation.findings == ()


@pytest.mark.parametrize(("case", "purpose"), TIMED)
def test_timed_rule_still_applies_on_its_last_day(case, purpose):
    assert check([case.record()], purpose, case.last_day).verdict is expected_outcome(case)


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


@pytest.mark.parametrize("case", [c for c in CASES if c.last_day], ids=lambda c: c.name)
def test_case_last_day_follows_the_civil_code_month_count(case):
    # Guards the table above against typing errors: its last days are the rule's months.
    (rule,) = [r for r in RULESET.rules if r.id == case.rule_id]
    assert rule.window.kind is WindowKind.MONTHS
    assert months_later(case.decided, rule.window.months) == case.last_day


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
@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_no_longer_in_force_never_restricts(case, purpose, status):
    evaluation = check([case.record(status=status)], purpose, case.decided)
    assert evaluation.verdict is Verdict.CLEAR
    assert evaluation.findings == ()


@pytest.mark.parametrize("status", ENDED, ids=lambda s: s.value)
def test_defaulter_listing_no_longer_in_force_never_restricts(status):
    record = facts(DEFAULTER, decided=date(2019, 7, 9), status=status)
    assert check([record], Purpose.HIRING, date(2020, 1, 1)).verdict is Verdict.CLEAR


@pytest.mark.parametrize(("case", "purpose"), ALL)
def test_record_under_objection_asks_for_review(case, purpose):
    evaluation = check([case.record(status=Status.UNDER_OBJECTION)], purpose, case.decided)
    assert evaluation.verdict is Verdict.REVIEW
    (finding,) = evaluation.findings
    assert finding.disputed is True
    assert finding.outcome is Outcome.REVIEW


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


# --- properties ----------------------------------------------------------------------------

DAYS = st.dates(date(1990, 1, 1), date(2040, 12, 31))


ANY_STATUS = st.sampled_from(Status)


@st.composite
def any_records(draw, status=ANY_STATUS) -> RecordFacts:
    decided = draw(DAYS)
    return RecordFacts(
        id=draw(st.integers(1, 10_000)),
        subject_type=draw(st.sampled_from(SubjectType)),
        category=draw(st.sampled_from(Category)),
        sanction_kind=draw(st.none() | st.sampled_from(Kind)),
        status=draw(status),
        decided_at=decided,
        effective_until=draw(st.none() | st.dates(decided, date(2045, 12, 31))),
    )


@st.composite
def records_inside_a_window(draw) -> tuple[RecordFacts, Purpose, date]:
    """An ACTIVE record that some rule matches, a purpose of that rule, and a day in its window."""
    rule = draw(st.sampled_from(RULESET.rules))
    decided = draw(DAYS)
    if rule.window.kind is WindowKind.MONTHS:
        last_day = months_later(decided, rule.window.months)
    else:
        last_day = decided + THIRTY_YEARS
    as_of = draw(st.dates(decided, last_day))
    until = None
    if rule.window.kind is WindowKind.WHILE_ACTIVE:
        until = draw(st.none() | st.dates(as_of, as_of + THIRTY_YEARS))
    elif rule.window.kind is WindowKind.MONTHS:
        # A source end date at or after the period's end leaves the period as it is.
        until = draw(st.none() | st.dates(last_day, last_day + THIRTY_YEARS))
    kinds = sorted(rule.sanction_kinds) or [None, *Kind]
    record = RecordFacts(
        id=draw(st.integers(1, 10_000)),
        subject_type=rule.subject_type or draw(st.sampled_from(SubjectType)),
        category=draw(st.sampled_from(sorted(rule.categories))),
        sanction_kind=draw(st.sampled_from(kinds)),
        status=Status.ACTIVE,
        decided_at=decided,
        effective_until=until,
    )
    return record, draw(st.sampled_from(sorted(rule.purposes))), as_of


PURPOSES = st.sampled_from(Purpose)
RECORD_LISTS = st.lists(any_records(), max_size=6)


@settings(max_examples=300, database=None)
@given(records_inside_a_window(), RECORD_LISTS)
def test_a_matched_record_inside_its_window_is_never_clear(matched, others):
    record, purpose, as_of = matched
    assert check([*others, record], purpose, as_of).verdict is not Verdict.CLEAR


@settings(max_examples=300, database=None)
@given(RECORD_LISTS, any_records(status=st.just(Status.REVOKED)), PURPOSES, DAYS, st.data())
def test_adding_a_revoked_record_never_changes_the_verdict(records, revoked, purpose, as_of, data):
    position = data.draw(st.integers(0, len(records)))
    with_revoked = [*records[:position], revoked, *records[position:]]
    assert check(with_revoked, purpose, as_of).verdict is check(records, purpose, as_of).verdict


@settings(max_examples=300, database=None)
@given(RECORD_LISTS, PURPOSES, DAYS, st.randoms(use_true_random=False))
def test_verdict_does_not_depend_on_record_order(records, purpose, as_of, rnd):
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert check(shuffled, purpose, as_of).verdict is check(records, purpose, as_of).verdict
