"""Whether a record can be repaired (信用修复, 国家发展改革委令2025年第36号), and from when. Pure.

Repair ends the publicity of 失信信息 and the 失信惩戒 measures resting on it (Art. 3). Only
失信信息 found by an agency under the credit rules can be repaired this way: a 政务处分, a 党纪
处分, a criminal conviction, an exam ban or a dismissal is not 失信信息 but a sanction with a
statutory effect, and a 失信被执行人 listing ends when the court deletes it (若干规定 Art. 10).
The subject may apply once the minimum publicity of the record's tier has run, counted from
the finding (认定) date: 轻微 none, 一般 three months, 严重 one year; and once its obligations
are met and it makes a public 信用承诺."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hub.checks.rules import RecordFacts, add_months
from hub.records.enums import RecordCategory, RecordStatus, Severity

REPAIRABLE = frozenset(
    {
        RecordCategory.PAYMENT_ARREARS,
        RecordCategory.PROCUREMENT_BREACH,
        RecordCategory.PPP_DEFAULT,
        RecordCategory.PROMISE_BROKEN,
        RecordCategory.STATISTICS_FRAUD,
        RecordCategory.COURT_JUDGMENT,
        RecordCategory.ADMINISTRATIVE_PENALTY,
    }
)
# Minimum publicity by tier before a repair may be applied for (36号令; months).
MINIMUM_MONTHS = {Severity.MINOR: 0, Severity.GENERAL: 3, Severity.SERIOUS: 12}
MIN_COMMITMENT = 20  # characters: a 信用承诺 says what the subject undertakes


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str | None = None
    # The earliest day an application could succeed, when only time stands in the way.
    earliest: date | None = None


def earliest_application(record: RecordFacts) -> date:
    """The day after the minimum publicity of the record's tier (the whole term: a record
    without a tier is treated as 严重, so nothing is repaired too early)."""
    months = MINIMUM_MONTHS[record.severity or Severity.SERIOUS]
    if months == 0:
        return record.decided_at
    return add_months(record.decided_at, months) + timedelta(days=1)


def eligibility(
    record: RecordFacts,
    today: date,
    *,
    obligations_fulfilled: bool,
    commitment: str,
    publicity_last_day: date | None,
) -> Eligibility:
    """`publicity_last_day`: the last day the record is published (None: no fixed end)."""
    if record.category not in REPAIRABLE:
        return Eligibility(
            False,
            f"{record.category.label} is not 失信信息 that 信用修复 can lift: its effect rests "
            "on a statute or ends when the court deletes the listing",
        )
    if record.status is not RecordStatus.ACTIVE:
        return Eligibility(False, "the source has withdrawn this record: nothing to repair")
    if record.repaired_on is not None:
        return Eligibility(False, f"already repaired on {record.repaired_on}")
    if publicity_last_day is not None and publicity_last_day < today:
        return Eligibility(
            False, f"its publicity ended on {publicity_last_day}: the measures ended with it"
        )
    if not obligations_fulfilled:
        return Eligibility(
            False, "a repair needs the obligations met first (履行法定义务、纠正失信行为)"
        )
    if len(commitment.strip()) < MIN_COMMITMENT:
        return Eligibility(
            False, f"a 信用承诺书 of at least {MIN_COMMITMENT} characters is required"
        )
    earliest = earliest_application(record)
    if today < earliest:
        return Eligibility(
            False,
            f"the minimum publicity of a {(record.severity or Severity.SERIOUS).label} record "
            f"runs until {earliest - timedelta(days=1)}",
            earliest,
        )
    return Eligibility(True)
