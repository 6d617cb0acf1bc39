"""The values the rule engine takes and gives. Import them from `hub.checks.rules`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from hub.checks.purposes import AppraisalEffect, Outcome, Purpose, Verdict
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity, SubjectType


class WindowKind(str, Enum):
    MONTHS = "months"  # N months from the decision (or 批准) date
    PERMANENT = "permanent"  # for ever, while the record stands
    WHILE_ACTIVE = "while_active"  # while listed / in force, until the source ends it
    # APPRAISAL only: a record decided in year Y affects the appraisal years Y .. Y+N-1,
    # N being the sum of the rule's effect steps.
    CALENDAR_YEARS = "calendar_years"
    # The record's publicity period by severity (信用修复管理办法), see PublicityTerms.
    PUBLICITY = "publicity"


@dataclass(frozen=True)
class Window:
    kind: WindowKind
    months: int = 0


@dataclass(frozen=True)
class EffectStep:
    """One stage of an APPRAISAL rule's effect. In a CALENDAR_YEARS window the steps follow
    each other: the first covers `years` appraisal years from the decision year, the next
    the years after it. In any other window there is one step, `years` None, and it holds
    while the window runs."""

    effect: AppraisalEffect
    years: int | None = None


@dataclass(frozen=True)
class PublicityTerms:
    """Longest publicity, in months from the decision date, by severity.

    信用修复管理办法 (令2025年第36号, in force 2026-04-01): 轻微 at most 3 months, 一般 at
    most 1 year, 严重 at most 3 years; at the maximum publication stops by itself. Records
    decided before that day fall under 令2023年第58号: at most 3 years whatever the tier.
    A record without a severity gets the longest term, so nothing ends too early."""

    in_force_from: date = date(2026, 4, 1)
    minor_months: int = 3
    general_months: int = 12
    serious_months: int = 36
    earlier_months: int = 36
    unknown_months: int = 36

    def months_for(self, severity: Severity | None, decided_at: date) -> int:
        if decided_at < self.in_force_from:
            return self.earlier_months
        if severity is None:
            return self.unknown_months
        return {
            Severity.MINOR: self.minor_months,
            Severity.GENERAL: self.general_months,
            Severity.SERIOUS: self.serious_months,
        }[severity]


DEFAULT_PUBLICITY = PublicityTerms()


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
    severities: frozenset[Severity] = frozenset()
    statuses: frozenset[RecordStatus] = frozenset()
    # APPRAISAL rules only: what the record does to the grade, and for how many years.
    effects: tuple[EffectStep, ...] = ()

    def matches(self, record: RecordFacts, purpose: Purpose) -> bool:
        return (
            purpose in self.purposes
            and record.category in self.categories
            and (not self.sanction_kinds or record.sanction_kind in self.sanction_kinds)
            and (self.subject_type is None or record.subject_type is self.subject_type)
            and (not self.severities or record.severity in self.severities)
            and (not self.statuses or record.status in self.statuses)
        )

    @property
    def effect_span(self) -> int:
        """Appraisal years a CALENDAR_YEARS rule covers, counting the decision year."""
        return sum(step.years or 0 for step in self.effects)


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    publicity: PublicityTerms = DEFAULT_PUBLICITY


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
    severity: Severity | None = None
    # Names the act (违法违纪行为) sanctioned; two records with the same act_ref in one
    # category are one act sanctioned twice (政务处分法 Art. 16) and count once.
    act_ref: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: Rule
    record: RecordFacts
    outcome: Outcome
    # Last restricted day, inclusive; None when the restriction has no fixed end.
    restricts_until: date | None
    # The record is under objection: reported, but it can make the verdict REVIEW at most.
    disputed: bool
    # APPRAISAL: the effect on the appraisal year, and every year that effect covers.
    effect: AppraisalEffect | None = None
    effect_years: tuple[int, ...] = ()
    # Ids of records set aside as the same act as this one (Art. 16).
    same_act: tuple[int, ...] = ()


@dataclass(frozen=True)
class AppraisalOutcome:
    year: int
    # The heaviest effect of all findings; None when nothing affects the year.
    effect: AppraisalEffect | None
    # The heaviest effect rests only on records under objection.
    disputed: bool = False


@dataclass(frozen=True)
class CategoryCount:
    category: RecordCategory
    count: int


@dataclass(frozen=True)
class OpenItem:
    record: RecordFacts
    # Last day of its publicity period or listing; None while listed without a known end.
    open_until: date | None


@dataclass(frozen=True)
class ProcurementProfile:
    """A purchaser's record: what it was found doing in the last three years, what is open."""

    since: date  # exclusive: records decided after this day and on or before `as_of` count
    as_of: date
    counts: tuple[CategoryCount, ...]
    open_items: tuple[OpenItem, ...]


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    findings: tuple[Finding, ...]
    ruleset_version: str
    appraisal: AppraisalOutcome | None = None
    profile: ProcurementProfile | None = None
