"""The values the rule engine takes and gives. Import them from `hub.checks.rules`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cached_property

from hub.checks.purposes import AppraisalEffect, Outcome, Purpose, Verdict
from hub.records.enums import (
    ObjectionKind,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)


class WindowKind(str, Enum):
    MONTHS = "months"  # N months from the decision (or 批准) date
    PERMANENT = "permanent"  # for ever, while the record stands
    WHILE_ACTIVE = "while_active"  # while listed / in force, until the source ends it
    # APPRAISAL only: a record decided in year Y affects the appraisal years Y .. Y+N-1,
    # N being the sum of the rule's effect steps.
    CALENDAR_YEARS = "calendar_years"
    # The record's publicity period by severity (信用修复管理办法), see PublicityTerms.
    PUBLICITY = "publicity"


class Basis(str, Enum):
    """What a rule rests on, which decides what can lift it (令2025年第36号 Art. 3–4).

    A 失信惩戒 MEASURE (国发〔2016〕76号, 发改财金〔2023〕1103号, local documents) ends with the
    publicity of the 失信信息 and is lifted by 信用修复. A STATUTE (公务员法 Art. 26, 政务处分法
    Art. 8 and 24, the 党纪 and 组织处理 effect periods) is not: repair and the end of
    publicity leave it standing."""

    STATUTE = "statute"
    MEASURE = "measure"


@dataclass(frozen=True)
class Window:
    kind: WindowKind
    # MONTHS: the default period, e.g. 政务处分法 Art. 8.
    months: int = 0
    # MONTHS: the longest period a decision may set instead of the default (政务处分法 Art. 15:
    # 48 months; 党纪处分条例 Art. 12: 察看 at most two years). The source states the period a
    # decision set as the record's end date; it is never read beyond this.
    max_months: int = 0
    # MONTHS: a further effect after the period ends (留党察看: two more years without an equal
    # or higher post, 党纪处分条例 Art. 12).
    after_months: int = 0


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
    """Longest publicity, in months from the decision date, by severity. Declared in the rule
    set with its basis (信用修复管理办法, 令2025年第36号, in force `in_force_from`); before that
    day 令2023年第58号 capped only the categories in `earlier_categories` (行政处罚信息), at
    `earlier_months`. A record without a severity gets `unknown_months`."""

    in_force_from: date
    minor_months: int
    general_months: int
    serious_months: int
    earlier_months: int
    unknown_months: int
    earlier_categories: frozenset[RecordCategory] = frozenset()

    def months_for(self, record: RecordFacts) -> int:
        if record.decided_at < self.in_force_from and record.category in self.earlier_categories:
            return self.earlier_months
        if record.severity is None:
            return self.unknown_months
        return {
            Severity.MINOR: self.minor_months,
            Severity.GENERAL: self.general_months,
            Severity.SERIOUS: self.serious_months,
        }[record.severity]


@dataclass(frozen=True)
class ListingTerms:
    """若干规定 Art. 2: a listing on grounds (二)–(六) lasts `months` (two years) unless the court
    sets otherwise; ground (一) stays until the court deletes it."""

    months: int
    grounds: frozenset[int]


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    purposes: frozenset[Purpose]
    categories: frozenset[RecordCategory]
    outcome: Outcome
    window: Window
    legal_basis: str
    basis: Basis = Basis.STATUTE
    sanction_kinds: frozenset[SanctionKind] = frozenset()
    subject_type: SubjectType | None = None
    note: str | None = None
    severities: frozenset[Severity] = frozenset()
    # A 行政区划 prefix: a rule resting on a local document applies only to checks made by
    # agencies there (e.g. "43" for 湘政发〔2018〕18号, "3201" for 宁政发〔2024〕89号).
    jurisdiction: str | None = None
    # APPRAISAL rules only: what the record does to the grade, and for how many years.
    effects: tuple[EffectStep, ...] = ()

    def matches(self, record: RecordFacts, purpose: Purpose) -> bool:
        return (
            purpose in self.purposes
            and record.category in self.categories
            and (not self.sanction_kinds or record.sanction_kind in self.sanction_kinds)
            and (self.subject_type is None or record.subject_type is self.subject_type)
            and (not self.severities or record.severity in self.severities)
        )

    def applies_for(self, checker_region: str | None) -> bool:
        """A local rule binds only agencies within its region (the operator's own checks,
        made for no agency, apply national rules only)."""
        if self.jurisdiction is None:
            return True
        return checker_region is not None and checker_region.startswith(self.jurisdiction)

    @property
    def effect_span(self) -> int:
        """Appraisal years a CALENDAR_YEARS rule covers, counting the decision year."""
        return sum(step.years or 0 for step in self.effects)


@dataclass(frozen=True)
class RuleChange:
    """One entry of the rule set's changelog: why an answer may differ from last month's."""

    version: str
    rules: tuple[str, ...]
    change: str
    reason: str


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    publicity: PublicityTerms
    listing: ListingTerms
    # Sanction kinds lightest first within their category (政务处分法 Art. 7; 党纪处分条例 Art. 8;
    # 组织处理): which of two records naming one act is the heavier (政务处分法 Art. 16).
    ranking: tuple[SanctionKind, ...] = ()
    changes: tuple[RuleChange, ...] = ()

    def candidates(self, purpose: Purpose, category: RecordCategory) -> tuple[Rule, ...]:
        """The rules that may match a record of `category` checked for `purpose`, in rule-set
        order. Looked up, not filtered: the engine asks for every record of every check."""
        return self._by_purpose_and_category.get((purpose, category), ())

    @cached_property
    def _by_purpose_and_category(self) -> dict[tuple[Purpose, RecordCategory], tuple[Rule, ...]]:
        index: dict[tuple[Purpose, RecordCategory], list[Rule]] = {}
        for rule in self.rules:
            for purpose in rule.purposes:
                for category in rule.categories:
                    index.setdefault((purpose, category), []).append(rule)
        return {key: tuple(rules) for key, rules in index.items()}

    @cached_property
    def rank_of(self) -> dict[SanctionKind, int]:
        """Each ranked sanction kind's position in `ranking` (higher: heavier)."""
        return {kind: position for position, kind in enumerate(self.ranking)}

    def changes_since(self, version: str) -> tuple[RuleChange, ...]:
        """The changelog entries of versions after `version` (versions compare as dotted
        numbers, 2026.12.1 > 2026.11.2)."""
        return tuple(c for c in self.changes if _version_key(c.version) > _version_key(version))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(
        int(part) if part.isascii() and part.isdigit() else -1 for part in version.split(".")
    )


@dataclass(frozen=True)
class RecordFacts:
    """What the engine needs to know of a record; built from the database row by the service."""

    id: int
    subject_type: SubjectType
    category: RecordCategory
    sanction_kind: SanctionKind | None
    # The source's status: ACTIVE, or CORRECTED / REVOKED (政务处分法 Art. 60), which never
    # restrict.
    status: RecordStatus
    decided_at: date
    # The end the source states: a listing deleted, or the period a decision set.
    effective_until: date | None = None
    severity: Severity | None = None
    # Names the act (违法违纪行为) sanctioned; two records with the same act_ref in one
    # category are one act sanctioned twice (政务处分法 Art. 16) and count once.
    act_ref: str | None = None
    # An open objection (异议) and what it disputes, and the day its running deadline ends.
    objection: ObjectionKind | None = None
    objection_due: date | None = None
    # The day a 信用修复 was approved: measures end the day before (statutes stand).
    repaired_on: date | None = None
    # 失信被执行人: the ground of listing (若干规定 Art. 1 items 1–6); None when unknown.
    listing_ground: int | None = None

    @property
    def disputed(self) -> bool:
        return self.objection is ObjectionKind.DATA_ERROR


@dataclass(frozen=True)
class Finding:
    rule: Rule
    record: RecordFacts
    outcome: Outcome
    # Last restricted day, inclusive; None when the restriction has no fixed end.
    restricts_until: date | None
    # The record's data is under objection (DATA_ERROR): reported, but it can make the
    # verdict REVIEW at most.
    disputed: bool
    # APPRAISAL: the effect on the appraisal year, and every year that effect covers.
    effect: AppraisalEffect | None = None
    effect_years: tuple[int, ...] = ()
    # Ids of records set aside as the same act as this one (Art. 16).
    same_act: tuple[int, ...] = ()
    # A 复审/复核 of the sanction is pending: it keeps restricting (政务处分法 Art. 56).
    pending_review: bool = False
    # An open objection to the record is past its deadline (异议逾期未处理) on the check's day.
    objection_overdue: bool = False


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

    @property
    def listed_as_defaulter(self) -> bool:
        """Currently on the 失信被执行人 list: for a purchaser a matter for review, not a bar
        (若干规定 Art. 8 notifies its superior; 发改财金〔2023〕1103号), shown first."""
        return any(i.record.category is RecordCategory.JUDGMENT_DEFAULTER for i in self.open_items)


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    findings: tuple[Finding, ...]
    ruleset_version: str
    appraisal: AppraisalOutcome | None = None
    profile: ProcurementProfile | None = None
