"""Properties of the engine over every rule and every purpose."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rule_cases import RULESET, Category, Kind, Status, check, months_later

from hub.checks.purposes import Purpose, Verdict
from hub.checks.rules import Basis, Evaluation, RecordFacts, Rule, WindowKind
from hub.records.enums import ObjectionKind as Objection
from hub.records.enums import Severity, SubjectType

DAYS = st.dates(date(1990, 1, 1), date(2040, 12, 31))
THIRTY_YEARS = timedelta(days=30 * 366)
# 信用修复管理办法 (from 2026-04-01) maximum publicity by tier; before it, 行政处罚 3 years.
PUBLICITY_MONTHS = {Severity.MINOR: 3, Severity.GENERAL: 12, Severity.SERIOUS: 36, None: 36}
NEW_REGIME = date(2026, 4, 1)
SEPARATE_KINDS = [Kind.WARNING, Kind.DEMERIT, Kind.MAJOR_DEMERIT, Kind.DEMOTION, Kind.REMOVAL]
PROPERTY = settings(max_examples=300, database=None, deadline=None)
SOURCE_STATUSES = [Status.ACTIVE, Status.CORRECTED, Status.REVOKED]
REGIONS = st.none() | st.sampled_from(["361202", "430102", "320102"])


ANY_STATUS = st.sampled_from(SOURCE_STATUSES)
ANY_OBJECTION = st.none() | st.sampled_from(Objection)


@st.composite
def any_records(draw, status=ANY_STATUS, objection=ANY_OBJECTION) -> RecordFacts:
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
        objection=draw(objection),
        repaired_on=draw(st.none() | st.dates(decided, date(2045, 12, 31))),
        listing_ground=draw(st.none() | st.integers(1, 6)),
    )


def last_day_of(rule: Rule, record: RecordFacts) -> date:
    decided, kind = record.decided_at, rule.window.kind
    if kind is WindowKind.MONTHS:
        return months_later(months_later(decided, rule.window.months), rule.window.after_months)
    if kind is WindowKind.CALENDAR_YEARS:
        return date(decided.year + sum(s.years or 0 for s in rule.effects) - 1, 12, 31)
    if kind is WindowKind.PUBLICITY:
        earlier = decided < NEW_REGIME and record.category is Category.ADMINISTRATIVE_PENALTY
        return months_later(decided, PUBLICITY_MONTHS[None if earlier else record.severity])
    return decided + THIRTY_YEARS  # permanent, or listed with no end yet


@st.composite
def records_inside_a_window(draw) -> tuple[RecordFacts, Purpose, date, str | None]:
    """An ACTIVE record that some rule matches, a purpose of that rule, a day in its window,
    and the region of an agency the rule binds."""
    rule = draw(st.sampled_from(RULESET.rules))
    decided = draw(DAYS)
    kinds = sorted(rule.sanction_kinds) or [None, *Kind]
    record = RecordFacts(
        id=draw(st.integers(1, 10_000)),
        subject_type=rule.subject_type or draw(st.sampled_from(SubjectType)),
        category=draw(st.sampled_from(sorted(rule.categories))),
        sanction_kind=draw(st.sampled_from(kinds)),
        status=Status.ACTIVE,
        decided_at=decided,
        severity=draw(st.sampled_from(sorted(rule.severities) or [None, *Severity])),
    )
    last_day = last_day_of(rule, record)
    as_of = draw(st.dates(decided, last_day))
    if rule.window.kind is WindowKind.WHILE_ACTIVE:
        until = draw(st.none() | st.dates(as_of, as_of + THIRTY_YEARS))
    elif rule.window.kind is WindowKind.CALENDAR_YEARS:
        # The appraisal table counts years; the sanction period's end does not shorten them.
        until = draw(st.none() | st.dates(decided, last_day + THIRTY_YEARS))
    elif rule.window.kind is WindowKind.MONTHS:
        # A period the decision set that is longer than the default only lengthens it.
        until = draw(st.none() | st.dates(last_day, last_day + THIRTY_YEARS))
    else:
        until = draw(st.none() | st.dates(last_day, last_day + THIRTY_YEARS))
    record = replace(record, effective_until=until)
    region = rule.jurisdiction.ljust(6, "0") if rule.jurisdiction else draw(REGIONS)
    return record, draw(st.sampled_from(sorted(rule.purposes))), as_of, region


PURPOSES = st.sampled_from(Purpose)
RECORD_LISTS = st.lists(any_records(), max_size=6)


@PROPERTY
@given(records_inside_a_window(), RECORD_LISTS)
def test_a_matched_record_inside_its_window_is_never_clear(matched, others):
    # Whatever else the person has: separate sanctions never cut each other short (item 1).
    record, purpose, as_of, region = matched
    assert check([*others, record], purpose, as_of, region=region).verdict is not Verdict.CLEAR


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
    # Decided within a few years of each other, so that periods overlap.
    return st.builds(
        RecordFacts,
        id=st.integers(1, 10_000),
        subject_type=st.just(SubjectType.PERSON),
        category=st.just(Category.GOVERNMENT_SANCTION),
        sanction_kind=st.sampled_from(SEPARATE_KINDS),
        status=st.just(Status.ACTIVE),
        decided_at=st.dates(date(2020, 1, 1), date(2026, 12, 31)),
        objection=st.none() | st.sampled_from(Objection),
    )


def own_end(record: RecordFacts) -> date:
    (rule,) = [r for r in RULESET.rules if r.matches(record, Purpose.AWARD)]
    return months_later(record.decided_at, rule.window.months)


SANCTION_LISTS = st.lists(government_sanctions(), max_size=6)
CHECK_DAYS = st.dates(date(2020, 1, 1), date(2029, 12, 31))


@PROPERTY
@given(SANCTION_LISTS, CHECK_DAYS)
def test_separate_decisions_each_keep_their_own_period(sanctions, as_of):
    # 政务处分法 Art. 8 and 13(一): never lengthened, never cut short by the others.
    findings = check(sanctions, Purpose.AWARD, as_of).findings
    for finding in findings:
        assert finding.restricts_until == own_end(finding.record)
    running = {r.id for r in sanctions if r.decided_at <= as_of <= own_end(r)}
    assert {f.record.id for f in findings} == running


@PROPERTY
@given(st.lists(any_records(objection=st.just(Objection.DATA_ERROR)), max_size=6), PURPOSES, DAYS)
def test_records_whose_data_is_disputed_alone_never_restrict(disputed, purpose, as_of):
    assert check(disputed, purpose, as_of).verdict is not Verdict.RESTRICTED


@PROPERTY
@given(RECORD_LISTS, PURPOSES, DAYS, REGIONS)
def test_a_repair_never_touches_a_statutory_finding(records, purpose, as_of, region):
    # 令2025年第36号 Art. 3–4 lift measures only: statutory findings are the same either way.
    unrepaired = [replace(r, repaired_on=None) for r in records]

    def statutory(evaluation: Evaluation):
        return {
            (f.rule.id, f.record.id, f.restricts_until, f.outcome)
            for f in evaluation.findings
            if f.rule.basis is Basis.STATUTE
        }

    assert statutory(check(records, purpose, as_of, region=region)) == statutory(
        check(unrepaired, purpose, as_of, region=region)
    )


@PROPERTY
@given(RECORD_LISTS, PURPOSES, DAYS)
def test_local_rules_never_fire_for_the_operator_or_elsewhere(records, purpose, as_of):
    for region in (None, "361202"):
        findings = check(records, purpose, as_of, region=region).findings
        assert all(f.rule.jurisdiction is None for f in findings)
