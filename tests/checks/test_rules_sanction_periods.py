"""政务处分法 Art. 15 (several sanctions in force together: at most 48 months) and Art. 16
(one act is not sanctioned twice: count it once, keep the heavier sanction).

The hub's reading of Art. 15 (verify): 政务处分 up to 撤职 whose periods overlap form a group;
each keeps its own Art. 8 end — periods are never summed — but none restricts beyond 48
months from the group's earliest decision.
"""

from __future__ import annotations

from datetime import date

import pytest
from rule_cases import GOV, PARTY, Effect, Kind, Status, check, facts

from hub.checks.purposes import Outcome, Purpose, Verdict

AWARD, APPRAISAL = Purpose.AWARD, Purpose.APPRAISAL


def sanction(kind, decided: str, record_id: int, **extra):
    return facts(GOV, kind, decided=date.fromisoformat(decided), record_id=record_id, **extra)


def award(records, as_of: str) -> Verdict:
    return check(records, AWARD, date.fromisoformat(as_of)).verdict


# --- Art. 15 -------------------------------------------------------------------------------

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
    # Summing would run to 2028-01-10; the hub never lengthens a period.
    assert award(THREE_DEMERITS, as_of) is expected


def test_three_demerits_keep_their_own_ends():
    findings = check(THREE_DEMERITS, AWARD, date(2025, 3, 10)).findings
    assert sorted(f.restricts_until for f in findings) == [
        date(2026, 1, 10),
        date(2026, 2, 10),
        date(2026, 3, 10),
    ]


# 撤职 2020-01-15 runs to 2022-01-15; 撤职 2021-12-15 joins it and runs to 2023-12-15; 降级
# 2023-12-01 joins too and would run to 2025-12-01, past the cap of 2024-01-15.
CHAIN = [
    sanction(Kind.REMOVAL, "2020-01-15", 1),
    sanction(Kind.REMOVAL, "2021-12-15", 2),
    sanction(Kind.DEMOTION, "2023-12-01", 3),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [("2024-01-15", Verdict.RESTRICTED), ("2024-01-16", Verdict.CLEAR)],
)
def test_chained_sanctions_restrict_at_most_48_months_from_the_first(as_of, expected):
    assert award(CHAIN, as_of) is expected


def test_capped_finding_says_when_the_cap_ends_it():
    findings = check(CHAIN, AWARD, date(2023, 12, 1)).findings
    assert {f.record.id: f.restricts_until for f in findings} == {
        2: date(2023, 12, 15),
        3: date(2024, 1, 15),
    }


def test_a_sanction_decided_after_the_capped_group_ends_starts_afresh():
    warning = sanction(Kind.WARNING, "2024-02-01", 4)
    assert award([*CHAIN, warning], "2024-08-01") is Verdict.RESTRICTED
    assert award([*CHAIN, warning], "2024-08-02") is Verdict.CLEAR


def test_sanctions_that_do_not_overlap_are_not_capped():
    first = sanction(Kind.REMOVAL, "2018-03-01", 1)
    second = sanction(Kind.REMOVAL, "2021-03-01", 2)  # after 2020-03-01, the first's end
    (finding,) = check([first, second], AWARD, date(2022, 6, 1)).findings
    assert finding.restricts_until == date(2023, 3, 1)


def test_a_disputed_sanction_in_the_group_is_capped_and_reported():
    chain = [*CHAIN[:2], sanction(Kind.DEMOTION, "2023-12-01", 3, status=Status.UNDER_OBJECTION)]
    assert award(chain, "2024-01-15") is Verdict.REVIEW
    assert award(chain, "2024-01-16") is Verdict.CLEAR


def test_party_discipline_is_not_part_of_the_group():
    probation = facts(PARTY, Kind.PARTY_PROBATION_2Y, decided=date(2023, 12, 1), record_id=9)
    assert award([*CHAIN[:2], probation], "2027-12-01") is Verdict.RESTRICTED


def test_expulsion_is_never_capped():
    expelled = sanction(Kind.EXPULSION, "2021-12-15", 9)
    assert award([CHAIN[0], expelled], "2040-01-01") is Verdict.RESTRICTED


def test_appraisal_effects_are_by_year_not_capped():
    # The cap bounds the 处分期; the appraisal table speaks of years.
    assert check(CHAIN, APPRAISAL, date(2024, 6, 1)).appraisal.effect is Effect.NO_GRADE


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
    disputed = sanction(Kind.WARNING, "2025-06-01", 2, act_ref="act", status=Status.UNDER_OBJECTION)
    (finding,) = check([disputed, active], AWARD, date(2025, 7, 1)).findings
    assert (finding.record, finding.outcome, finding.same_act) == (active, Outcome.RESTRICTED, (2,))


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
