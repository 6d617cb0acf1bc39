"""The workflows' pure rules: when a record may be repaired and from when, what open
objections show on a record, when one is overdue, and the status a reader sees."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.checks.rules import RecordFacts
from hub.lifecycle.status import shown_status
from hub.objections.rules import OpenObjection, due, overdue, record_dispute
from hub.records.enums import (
    ObjectionKind,
    ObjectionState,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)
from hub.repairs.rules import earliest_application, eligibility

COMMITMENT = "本单位承诺依法履行义务，按期足额支付拖欠款项，今后严格守信践诺。"


def facts(category=RecordCategory.PAYMENT_ARREARS, severity=Severity.GENERAL, **extra):
    values = {
        "id": 1,
        "subject_type": SubjectType.ORGANIZATION,
        "category": category,
        "sanction_kind": None,
        "status": RecordStatus.ACTIVE,
        "decided_at": date(2026, 5, 31),
        "severity": severity,
        **extra,
    }
    return RecordFacts(**values)


def ask(record, today, **extra):
    arguments = {
        "obligations_fulfilled": True,
        "commitment": COMMITMENT,
        "publicity_last_day": None,
        **extra,
    }
    return eligibility(record, today, **arguments)


@pytest.mark.parametrize(
    ("severity", "earliest"),
    [
        (Severity.MINOR, date(2026, 5, 31)),  # 轻微: once the duty is done
        (Severity.GENERAL, date(2026, 9, 1)),  # three months from 31 May end on 31 Aug
        (Severity.SERIOUS, date(2027, 6, 1)),
        (None, date(2027, 6, 1)),  # no tier given: treated as 严重
    ],
)
def test_the_minimum_publicity_runs_from_the_finding_by_tier(severity, earliest):
    record = facts(severity=severity)
    assert earliest_application(record) == earliest
    early = ask(record, date(2026, 5, 30)) if severity is Severity.MINOR else None
    assert early is None or not early.eligible  # nothing before the finding itself
    assert ask(record, earliest).eligible


def test_an_application_before_the_minimum_says_when_it_could_succeed():
    answer = ask(facts(), date(2026, 8, 31))
    assert not answer.eligible and answer.earliest == date(2026, 9, 1)
    assert "2026-08-31" in (answer.reason or "")


@pytest.mark.parametrize(
    "category",
    [
        RecordCategory.GOVERNMENT_SANCTION,
        RecordCategory.PARTY_DISCIPLINE,
        RecordCategory.CRIMINAL_PUNISHMENT,
        RecordCategory.EXAM_MISCONDUCT,
        RecordCategory.DISMISSAL,
        RecordCategory.JUDGMENT_DEFAULTER,
    ],
)
def test_sanctions_with_a_statutory_effect_and_court_listings_are_not_repairable(category):
    answer = ask(facts(category=category, sanction_kind=SanctionKind.WARNING), date(2030, 1, 1))
    assert not answer.eligible and answer.earliest is None
    assert category.label in (answer.reason or "")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"obligations_fulfilled": False}, "obligations"),
        ({"commitment": "承诺守信"}, "信用承诺书"),
        ({"publicity_last_day": date(2026, 11, 30)}, "publicity ended"),
    ],
)
def test_a_repair_needs_obligations_met_a_commitment_and_a_running_publicity(extra, words):
    answer = ask(facts(), date(2026, 12, 1), **extra)
    assert not answer.eligible and words in (answer.reason or "")


def test_a_withdrawn_or_already_repaired_record_has_nothing_to_repair():
    revoked = ask(facts(status=RecordStatus.REVOKED), date(2026, 12, 1))
    repaired = ask(facts(repaired_on=date(2026, 10, 1)), date(2026, 12, 1))
    assert not revoked.eligible and "withdrawn" in (revoked.reason or "")
    assert not repaired.eligible and "2026-10-01" in (repaired.reason or "")


def objection(kind, state=ObjectionState.OPEN, examine=date(2026, 10, 15), correct=None):
    return OpenObjection(kind, state, examine, correct)


def test_a_data_dispute_outweighs_a_pending_review_and_the_earliest_deadline_shows():
    review = objection(ObjectionKind.SANCTION_REVIEW, examine=date(2026, 10, 9))
    data = objection(ObjectionKind.DATA_ERROR)
    assert record_dispute([review, data]) == (ObjectionKind.DATA_ERROR, date(2026, 10, 9))
    assert record_dispute([review]) == (ObjectionKind.SANCTION_REVIEW, date(2026, 10, 9))
    closed = objection(ObjectionKind.DATA_ERROR, ObjectionState.REJECTED)
    assert record_dispute([closed]) == (None, None)


def test_an_upheld_objection_runs_on_its_correction_deadline():
    upheld = objection(
        ObjectionKind.DATA_ERROR, ObjectionState.UPHELD, date(2026, 10, 15), date(2026, 10, 20)
    )
    assert due(upheld) == date(2026, 10, 20)
    assert not overdue(upheld, date(2026, 10, 20)) and overdue(upheld, date(2026, 10, 21))
    answered = objection(ObjectionKind.DATA_ERROR, ObjectionState.REJECTED)
    assert not overdue(answered, date(2030, 1, 1))


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(
    status=st.sampled_from(list(RecordStatus)),
    objection_kind=st.none() | st.sampled_from(list(ObjectionKind)),
    repaired=st.none() | DAYS,
    ended=st.none() | DAYS,
    until=st.none() | DAYS,
    today=DAYS,
)
def test_a_source_withdrawal_shows_over_every_workflow_and_each_state_has_its_cause(
    status, objection_kind, repaired, ended, until, today
):
    shown = shown_status(
        status,
        objection=objection_kind,
        repaired_on=repaired,
        publicity_ended_on=ended,
        effective_until=until,
        today=today,
    )
    if status is not RecordStatus.ACTIVE:
        assert shown is status
    elif shown is RecordStatus.UNDER_OBJECTION:
        assert objection_kind is not None
    elif shown is RecordStatus.REPAIRED:
        assert objection_kind is None and repaired is not None
    elif shown is RecordStatus.EXPIRED:
        assert repaired is None and ((ended and ended <= today) or (until and until < today))
    else:
        assert shown is RecordStatus.ACTIVE and objection_kind is None and repaired is None
