"""Properties of the engine over every rule and every purpose."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rule_cases import RULESET, Category, Kind, Status, check, months_later

from hub.checks.purposes import Purpose, Verdict
from hub.checks.rules import Evaluation, RecordFacts, Rule, WindowKind
from hub.records.enums import Severity, SubjectType

DAYS = st.dates(date(1990, 1, 1), date(2040, 12, 31))
THIRTY_YEARS = timedelta(days=30 * 366)
# 信用修复管理办法 (from 2026-04-01) maximum publicity by tier; before it, 3 years.
PUBLICITY_MONTHS = {Severity.MINOR: 3, Severity.GENERAL: 12, Severity.SERIOUS: 36, None: 36}
NEW_REGIME = date(2026, 4, 1)
# Art. 15 caps overlapping 政务处分 up to 撤职 together.
COMBINABLE = {Kind.WARNING, Kind.DEMERIT, Kind.MAJOR_DEMERIT, Kind.DEMOTION, Kind.REMOVAL}
PROPERTY = settings(max_examples=300, database=None, deadline=None)


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
        severity=draw(st.none() | st.sampled_from(Severity)),
        act_ref=draw(st.none() | st.sampled_from(["act-1", "act-2"])),
    )


def last_day_of(rule: Rule, decided: date, severity: Severity | None) -> date:
    kind = rule.window.kind
    if kind is WindowKind.MONTHS:
        return months_later(decided, rule.window.months)
    if kind is WindowKind.CALENDAR_YEARS:
        return date(decided.year + sum(s.years or 0 for s in rule.effects) - 1, 12, 31)
    if kind is WindowKind.PUBLICITY:
        return months_later(decided, PUBLICITY_MONTHS[severity if decided >= NEW_REGIME else None])
    return decided + THIRTY_YEARS  # permanent, or listed with no end yet


@st.composite
def records_inside_a_window(draw) -> tuple[RecordFacts, Purpose, date]:
    """An ACTIVE record that some rule matches, a purpose of that rule, and a day in its window."""
    rule = draw(st.sampled_from(RULESET.rules))
    decided = draw(DAYS)
    severity = draw(st.sampled_from(sorted(rule.severities) or [None, *Severity]))
    last_day = last_day_of(rule, decided, severity)
    as_of = draw(st.dates(decided, last_day))
    if rule.window.kind is WindowKind.WHILE_ACTIVE:
        until = draw(st.none() | st.dates(as_of, as_of + THIRTY_YEARS))
    elif rule.window.kind is WindowKind.CALENDAR_YEARS:
        # The appraisal table counts years; the sanction period's end does not shorten them.
        until = draw(st.none() | st.dates(decided, last_day + THIRTY_YEARS))
    else:
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
        severity=severity,
    )
    return record, draw(st.sampled_from(sorted(rule.purposes))), as_of


def may_cap(record: RecordFacts) -> bool:
    return (
        record.category is Category.GOVERNMENT_SANCTION
        and record.sanction_kind in COMBINABLE
        and record.status in {Status.ACTIVE, Status.UNDER_OBJECTION}
    )


PURPOSES = st.sampled_from(Purpose)
RECORD_LISTS = st.lists(any_records(), max_size=6)


@PROPERTY
@given(records_inside_a_window(), RECORD_LISTS)
def test_a_matched_record_inside_its_window_is_never_clear(matched, others):
    record, purpose, as_of = matched
    if may_cap(record):
        # Art. 15 may end a 政务处分 early when others overlap it: tested on its own.
        others = [other for other in others if not may_cap(other)]
    assert check([*others, record], purpose, as_of).verdict is not Verdict.CLEAR


@PROPERTY
@given(RECORD_LISTS, any_records(status=st.just(Status.REVOKED)), PURPOSES, DAYS, st.data())
def test_adding_a_revoked_record_changes_nothing(records, revoked, purpose, as_of, data):
    position = data.draw(st.integers(0, len(records)))
    with_revoked = [*records[:position], revoked, *records[position:]]
    assert check(with_revoked, purpose, as_of) == check(records, purpose, as_of)


def summary(evaluation: Evaluation):
    findings = {(f.rule.id, f.record, f.restricts_until, f.outcome) for f in evaluation.findings}
    profile = evaluation.profile
    return (
        evaluation.verdict,
        evaluation.appraisal,
        findings,
        profile and (profile.counts, set(profile.open_items)),
    )


@PROPERTY
@given(RECORD_LISTS, PURPOSES, DAYS, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_record_order(records, purpose, as_of, rnd):
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert summary(check(shuffled, purpose, as_of)) == summary(check(records, purpose, as_of))


def government_sanctions() -> st.SearchStrategy[RecordFacts]:
    # Decided within a few years of each other, so that periods overlap and chain.
    return st.builds(
        RecordFacts,
        id=st.integers(1, 10_000),
        subject_type=st.just(SubjectType.PERSON),
        category=st.just(Category.GOVERNMENT_SANCTION),
        sanction_kind=st.sampled_from(sorted(COMBINABLE)),
        status=st.sampled_from([Status.ACTIVE, Status.UNDER_OBJECTION]),
        decided_at=st.dates(date(2020, 1, 1), date(2026, 12, 31)),
    )


def own_end(record: RecordFacts) -> date:
    (rule,) = [r for r in RULESET.rules if r.matches(record, Purpose.AWARD)]
    return months_later(record.decided_at, rule.window.months)


SANCTION_LISTS = st.lists(government_sanctions(), max_size=6)
CHECK_DAYS = st.dates(date(2020, 1, 1), date(2029, 12, 31))


@PROPERTY
@given(SANCTION_LISTS, CHECK_DAYS)
def test_art_15_never_lengthens_a_restriction(sanctions, as_of):
    for finding in check(sanctions, Purpose.AWARD, as_of).findings:
        assert finding.restricts_until is not None
        assert finding.restricts_until <= own_end(finding.record)


@PROPERTY
@given(SANCTION_LISTS)
def test_art_15_overlapping_restrictions_end_within_48_months_of_the_first(sanctions):
    # Each record's restriction as seen on its own decision day.
    spans = []
    for record in sanctions:
        findings = check(sanctions, Purpose.AWARD, record.decided_at).findings
        (until,) = [f.restricts_until for f in findings if f.record is record]
        spans.append((record.decided_at, until))
    run_start = run_end = None
    for start, end in sorted(spans):
        if run_end is None or start > run_end:
            run_start, run_end = start, end
        run_end = max(run_end, end)
        assert run_end <= months_later(run_start, 48)


@PROPERTY
@given(SANCTION_LISTS, CHECK_DAYS)
def test_art_15_leaves_a_sanction_that_overlaps_no_other_alone(sanctions, as_of):
    for finding in check(sanctions, Purpose.AWARD, as_of).findings:
        mine = finding.record
        alone = all(
            own_end(r) < mine.decided_at or r.decided_at > own_end(mine)
            for r in sanctions
            if r is not mine
        )
        if alone:
            assert finding.restricts_until == own_end(mine)


@PROPERTY
@given(st.lists(any_records(status=st.just(Status.UNDER_OBJECTION)), max_size=6), PURPOSES, DAYS)
def test_records_under_objection_alone_never_restrict(disputed, purpose, as_of):
    assert check(disputed, purpose, as_of).verdict is not Verdict.RESTRICTED
