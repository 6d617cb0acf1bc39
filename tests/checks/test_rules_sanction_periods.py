"""政务处分法 Art. 8 and 15 (each decision keeps its own period; a period the decision itself
sets wins, up to 48 months) and Art. 16 (one act is not sanctioned twice: count it once, keep
the undisputed and then the heavier sanction).

Art. 15's cap governs ONE decision combining several sanctions; separate decisions each keep
their own Art. 8 period from their own 作出之日 (Art. 13(一): re-offending during a period is
punished more heavily, never shorter). The source states the period a decision set as the
record's end date (effectiveUntil).
"""

from __future__ import annotations

from datetime import date

import pytest
from rule_cases import GOV, PARTY, Effect, Kind, Status, check, facts

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.records.enums import ObjectionKind

AWARD, APPRAISAL, TRANSFER = Purpose.AWARD, Purpose.APPRAISAL, Purpose.TRANSFER
DISPUTED = ObjectionKind.DATA_ERROR


def sanction(kind, decided: str, record_id: int, **extra):
    return facts(GOV, kind, decided=date.fromisoformat(decided), record_id=record_id, **extra)


def award(records, as_of: str) -> Verdict:
    return check(records, AWARD, date.fromisoformat(as_of)).verdict


# --- Art. 8 and 15: separate decisions keep their own periods -----------------------------

THREE_DEMERITS = [
    sanction(Kind.DEMERIT, "2025-01-10", 1),
    sanction(Kind.DEMERIT, "2025-02-10", 2),
    sanction(Kind.DEMERIT, "2025-03-10", 3),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2026-03-10", Verdict.RESTRICTED), ("2026-03-11", Verdict.CLEAR)],
)
def test_three_demerits_a_month_apart_restrict_until_the_last_own_end(as_of, expected):
    # Summing would run to 2028-01-10; separate decisions never add up.
    assert award(THREE_DEMERITS, as_of) is expected


def test_three_demerits_keep_their_own_ends():
    findings = check(THREE_DEMERITS, AWARD, date(2025, 3, 10)).findings
    assert sorted(f.restricts_until for f in findings) == [
        date(2026, 1, 10),
        date(2026, 2, 10),
        date(2026, 3, 10),
    ]


# The 2026.11.2 rule set chained these and capped all at 48 months from 2021-07-01: the 降级
# of 2025-07-01 stopped restricting on 2026-03-01 (item 1). It runs its own 24 months.
CHAIN = [
    sanction(Kind.REMOVAL, "2021-07-01", 1),
    sanction(Kind.REMOVAL, "2023-06-01", 2),
    sanction(Kind.DEMOTION, "2025-07-01", 3),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-03-01", Verdict.RESTRICTED),
        ("2026-03-02", Verdict.RESTRICTED),
        ("2027-07-01", Verdict.RESTRICTED),
        ("2027-07-02", Verdict.CLEAR),
    ],
)
@pytest.mark.parametrize("purpose", [AWARD, TRANSFER], ids=lambda p: p.value)
def test_a_later_separate_sanction_is_not_cut_short_by_earlier_ones(purpose, as_of, expected):
    assert check(CHAIN, purpose, date.fromisoformat(as_of)).verdict is expected


def test_each_separate_decision_reports_its_own_end():
    # On 2025-06-01 the second 撤职's own 24 months end; the 降级 starts a month later.
    findings = check(CHAIN, AWARD, date(2025, 6, 1)).findings
    assert {f.record.id: f.restricts_until for f in findings} == {2: date(2025, 6, 1)}
    findings = check(CHAIN, AWARD, date(2025, 7, 1)).findings
    assert {f.record.id: f.restricts_until for f in findings} == {3: date(2027, 7, 1)}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2027-03-01", Verdict.RESTRICTED), ("2027-03-02", Verdict.CLEAR)],
)
def test_a_combined_period_the_decision_set_wins_over_the_default(as_of, expected):
    # Item 2: one decision combining 记过 for two violations sets 24 months (Art. 15); the
    # 12-month default must not cut it short.
    combined = sanction(Kind.DEMERIT, "2025-03-01", 1, until=date(2027, 3, 1))
    assert award([combined], as_of) is expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2029-03-01", Verdict.RESTRICTED), ("2029-03-02", Verdict.CLEAR)],
)
def test_a_decision_set_period_is_never_believed_beyond_48_months(as_of, expected):
    overlong = sanction(Kind.DEMERIT, "2025-03-01", 1, until=date(2031, 3, 1))
    (finding,) = check([overlong], AWARD, date(2025, 3, 1)).findings
    assert finding.restricts_until == date(2029, 3, 1)
    assert award([overlong], as_of) is expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2025-08-31", Verdict.RESTRICTED), ("2025-09-01", Verdict.CLEAR)],
)
def test_a_source_end_earlier_than_the_default_still_ends_it(as_of, expected):
    shortened = sanction(Kind.DEMERIT, "2025-03-01", 1, until=date(2025, 8, 31))
    assert award([shortened], as_of) is expected


@pytest.mark.parametrize(
    ("until", "as_of", "expected"),
    [
        # 察看 extended to two years (党纪处分条例 Art. 12): then two more years without a post.
        (date(2026, 5, 10), "2028-05-10", Verdict.RESTRICTED),
        (date(2026, 5, 10), "2028-05-11", Verdict.CLEAR),
        # An extension beyond the two-year maximum is read as two years.
        (date(2027, 5, 10), "2028-05-10", Verdict.RESTRICTED),
        (date(2027, 5, 10), "2028-05-11", Verdict.CLEAR),
        # No end stated: one year's 察看, then two years.
        (None, "2027-05-10", Verdict.RESTRICTED),
        (None, "2027-05-11", Verdict.CLEAR),
    ],
)
def test_an_extended_party_probation_runs_two_years_and_then_two_more(until, as_of, expected):
    probation = facts(PARTY, Kind.PARTY_PROBATION_1Y, decided=date(2024, 5, 10), until=until)
    assert award([probation], as_of) is expected


def test_party_discipline_keeps_its_own_period_beside_government_sanctions():
    probation = facts(PARTY, Kind.PARTY_PROBATION_2Y, decided=date(2023, 12, 1), record_id=9)
    assert award([*CHAIN[:2], probation], "2027-12-01") is Verdict.RESTRICTED


def test_expulsion_is_never_ended():
    expelled = sanction(Kind.EXPULSION, "2021-12-15", 9)
    assert award([CHAIN[0], expelled], "2040-01-01") is Verdict.RESTRICTED


def test_appraisal_effects_are_by_year():
    # The appraisal table speaks of years, not of the 处分期.
    assert check(CHAIN, APPRAISAL, date(2025, 9, 1)).appraisal.effect is Effect.NO_GRADE


# --- Art. 16 -------------------------------------------------------------------------------


def test_same_act_sanctioned_twice_counts_once_keeping_the_heavier():
    by_supervision = sanction(Kind.DEMERIT, "2025-03-01", 1, act_ref="江监〔2025〕7号-案1")
    by_employer = sanction(Kind.MAJOR_DEMERIT, "2025-03-20", 2, act_ref="江监〔2025〕7号-案1")
    (finding,) = check([by_supervision, by_employer], AWARD, date(2025, 4, 1)).findings
    assert (finding.record.id, finding.same_act) == (2, (1,))
    assert finding.restricts_until == date(2026, 9, 20)


def test_heavier_sanction_is_kept_even_when_decided_earlier():
    heavier = sanction(Kind.MAJOR_DEMERIT, "2025-01-01", 1, act_ref="act")
    lighter = sanction(Kind.WARNING, "2025-06-01", 2, act_ref="act")
    (finding,) = check([lighter, heavier], AWARD, date(2025, 7, 1)).findings
    assert finding.record is heavier


def test_of_two_equal_sanctions_the_undisputed_one_is_kept():
    active = sanction(Kind.WARNING, "2025-06-01", 1, act_ref="act")
    disputed = sanction(Kind.WARNING, "2025-06-01", 2, act_ref="act", objection=DISPUTED)
    (finding,) = check([disputed, active], AWARD, date(2025, 7, 1)).findings
    assert (finding.record, finding.outcome, finding.same_act) == (active, Outcome.RESTRICTED, (2,))


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2026-03-01", Verdict.RESTRICTED), ("2026-03-02", Verdict.CLEAR)],
)
def test_a_disputed_heavier_copy_does_not_hide_the_undisputed_sanction(as_of, expected):
    # Item 8: the heavier copy of the same act is under objection; the undisputed 记过 stands
    # and restricts through its own period — not REVIEW.
    demerit = sanction(Kind.DEMERIT, "2025-03-01", 1, act_ref="act")
    disputed = sanction(Kind.DEMOTION, "2025-03-01", 2, act_ref="act", objection=DISPUTED)
    evaluation = check([disputed, demerit], AWARD, date.fromisoformat(as_of))
    assert evaluation.verdict is expected
    if expected is Verdict.RESTRICTED:
        (finding,) = evaluation.findings
        assert (finding.record, finding.same_act) == (demerit, (2,))


def test_a_pending_review_does_not_count_as_a_dispute_of_the_copy():
    # A 复审/复核 does not suspend the sanction (Art. 56): the heavier copy is kept.
    demerit = sanction(Kind.DEMERIT, "2025-03-01", 1, act_ref="act")
    reviewed = sanction(
        Kind.DEMOTION, "2025-03-01", 2, act_ref="act", objection=ObjectionKind.SANCTION_REVIEW
    )
    (finding,) = check([demerit, reviewed], AWARD, date(2026, 6, 1)).findings
    assert (finding.record, finding.outcome, finding.pending_review) == (
        reviewed,
        Outcome.RESTRICTED,
        True,
    )


def test_different_acts_count_separately():
    one = sanction(Kind.WARNING, "2025-06-01", 1, act_ref="act-1")
    other = sanction(Kind.WARNING, "2025-06-01", 2, act_ref="act-2")
    assert len(check([one, other], AWARD, date(2025, 7, 1)).findings) == 2


def test_party_and_government_sanctions_for_one_act_both_count():
    # Art. 16 is about 监察机关 and 任免机关 both giving 政务处分; 党纪 stands beside it.
    government = sanction(Kind.WARNING, "2025-06-01", 1, act_ref="act")
    party = facts(PARTY, Kind.PARTY_WARNING, decided=date(2025, 6, 1), record_id=2, act_ref="act")
    assert len(check([government, party], AWARD, date(2025, 7, 1)).findings) == 2


def test_a_revoked_heavier_sanction_does_not_set_aside_the_standing_one():
    revoked = sanction(Kind.MAJOR_DEMERIT, "2025-03-01", 1, act_ref="act", status=Status.REVOKED)
    standing = sanction(Kind.WARNING, "2025-03-01", 2, act_ref="act")
    (finding,) = check([revoked, standing], AWARD, date(2025, 7, 1)).findings
    assert (finding.record, finding.same_act) == (standing, ())


def test_same_act_counts_once_in_the_appraisal_too():
    demerit = sanction(Kind.DEMERIT, "2025-03-01", 1, act_ref="act")
    major = sanction(Kind.MAJOR_DEMERIT, "2025-03-20", 2, act_ref="act")
    evaluation = check([demerit, major], APPRAISAL, date(2025, 12, 1))
    assert [(f.record.id, f.effect) for f in evaluation.findings] == [(2, Effect.NO_GRADE)]
