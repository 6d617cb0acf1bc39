"""The rule engine: (rule set, records, purpose, as_of) → verdict and findings. Pure.

Periods are counted as 民法典 Art. 201–202 count them: the decision day itself is not
counted, and a period of N months ends on the corresponding day of the N-th month (the
last day of that month when it has no such day). So a 6-month 警告 decided 2026-01-10
restricts through 2026-07-10 and no longer on 2026-07-11; `restricts_until` is that last
restricted day, inclusive.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import Enum

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.records.enums import IN_FORCE, RecordCategory, RecordStatus, SanctionKind, SubjectType


class WindowKind(str, Enum):
    MONTHS = "months"  # N months from the decision (or 批准) date
    PERMANENT = "permanent"  # for ever, while the record stands
    WHILE_ACTIVE = "while_active"  # while listed / in force, until the source ends it


@dataclass(frozen=True)
class Window:
    kind: WindowKind
    months: int = 0


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    purposes: frozenset[Purpose]
    categories: frozenset[RecordCategory]
    outcome: Outcome
    window: Window
    legal_basis: str
    sanction_kinds: frozenset[SanctionKind] = frozenset()
    subject_type: SubjectType | None = None
    note: str | None = None

    def matches(self, record: RecordFacts, purpose: Purpose) -> bool:
        return (
            purpose in self.purposes
            and record.category in self.categories
            and (not self.sanction_kinds or record.sanction_kind in self.sanction_kinds)
            and (self.subject_type is None or record.subject_type is self.subject_type)
        )


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class RecordFacts:
    """What the engine needs to know of a record; built from the database row by the service."""

    id: int
    subject_type: SubjectType
    category: RecordCategory
    sanction_kind: SanctionKind | None
    status: RecordStatus
    decided_at: date
    effective_until: date | None = None


@dataclass(frozen=True)
class Finding:
    rule: Rule
    record: RecordFacts
    outcome: Outcome
    # Last restricted day, inclusive; None when the restriction has no fixed end.
    restricts_until: date | None
    # The record is under objection: reported, but it can make the verdict REVIEW at most.
    disputed: bool


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    findings: tuple[Finding, ...]
    ruleset_version: str


def add_months(start: date, months: int) -> date:
    """The corresponding day N months later, or that month's last day (民法典 Art. 202)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def restriction(rule: Rule, record: RecordFacts, as_of: date) -> tuple[bool, date | None]:
    """Does `rule` restrict on `as_of` through `record`, and until when?"""
    if record.status not in IN_FORCE or record.decided_at > as_of:
        return False, None
    window = rule.window
    if window.kind is WindowKind.PERMANENT:
        return True, None
    ended_by_source = record.effective_until
    if window.kind is WindowKind.WHILE_ACTIVE:
        if ended_by_source is not None and ended_by_source < as_of:
            return False, ended_by_source
        return True, ended_by_source
    last_day = add_months(record.decided_at, window.months)
    if ended_by_source is not None:
        last_day = min(last_day, ended_by_source)
    return as_of <= last_day, last_day


def evaluate(
    ruleset: RuleSet, records: list[RecordFacts], purpose: Purpose, as_of: date
) -> Evaluation:
    findings: list[Finding] = []
    for record in records:
        for rule in ruleset.rules:
            if not rule.matches(record, purpose):
                continue
            applies, until = restriction(rule, record, as_of)
            if not applies:
                continue
            disputed = record.status is RecordStatus.UNDER_OBJECTION
            outcome = Outcome.REVIEW if disputed else rule.outcome
            findings.append(Finding(rule, record, outcome, until, disputed))
    findings.sort(key=_finding_order)
    return Evaluation(_verdict(findings), tuple(findings), ruleset.version)


def _verdict(findings: list[Finding]) -> Verdict:
    if any(f.outcome is Outcome.RESTRICTED for f in findings):
        return Verdict.RESTRICTED
    if findings:
        return Verdict.REVIEW
    return Verdict.CLEAR


def _finding_order(finding: Finding) -> tuple[int, int, str]:
    # Restrictions first; within them, open-ended ones, then the latest end date.
    severity = 0 if finding.outcome is Outcome.RESTRICTED else 1
    until = finding.restricts_until.toordinal() if finding.restricts_until else 10**7
    return severity, -until, finding.rule.id
