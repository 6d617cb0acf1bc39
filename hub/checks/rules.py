"""The rule engine: (rule set, records, purpose, as_of) → verdict and findings. Pure.

Periods are counted as 民法典 Art. 201–202 count them: the decision day itself is not
counted, and a period of N months ends on the corresponding day of the N-th month (the
last day of that month when it has no such day). So a 6-month 警告 decided 2026-01-10
restricts through 2026-07-10 and no longer on 2026-07-11; `restricts_until` is that last
restricted day, inclusive. APPRAISAL judges an appraisal year (an input: the appraisal of
2026 is done in December 2026 – January 2027), counted in calendar years.

A record whose data is under objection (DATA_ERROR) is reported with outcome REVIEW and
`disputed`: it can make the verdict REVIEW at most. A pending 复审/复核 (SANCTION_REVIEW) does
not suspend the sanction (政务处分法 Art. 56): it is noted on the finding. Records the source
corrected or revoked never restrict; a repair or the end of publicity lifts 失信惩戒 measures
only, never a statutory bar (see Basis).
"""

from __future__ import annotations

from datetime import date

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.checks.rules_model import (
    AppraisalOutcome,
    Basis,
    CategoryCount,
    EffectStep,
    Evaluation,
    Finding,
    ListingTerms,
    OpenItem,
    ProcurementProfile,
    PublicityTerms,
    RecordFacts,
    Rule,
    RuleChange,
    RuleSet,
    Window,
    WindowKind,
)
from hub.checks.rules_periods import (
    add_months,
    appraisal_effect,
    same_act_once,
    window_last_day,
)
from hub.checks.rules_procurement import procurement_profile
from hub.records.enums import ObjectionKind, RecordStatus

__all__ = [
    "AppraisalOutcome",
    "Basis",
    "CategoryCount",
    "EffectStep",
    "Evaluation",
    "Finding",
    "ListingTerms",
    "OpenItem",
    "ProcurementProfile",
    "PublicityTerms",
    "RecordFacts",
    "Rule",
    "RuleChange",
    "RuleSet",
    "Window",
    "WindowKind",
    "add_months",
    "appraisal_outcome",
    "evaluate",
    "procurement_profile",
]


def evaluate(
    ruleset: RuleSet,
    records: list[RecordFacts],
    purpose: Purpose,
    as_of: date,
    *,
    appraisal_year: int | None = None,
    checker_region: str | None = None,
) -> Evaluation:
    """`appraisal_year` (APPRAISAL; default the year of `as_of`); `checker_region`: the 行政区划
    代码 of the agency asking, which decides whether local rules apply."""
    year = appraisal_year if appraisal_year is not None else as_of.year
    kept, set_aside = same_act_once(records, ruleset.rank_of)
    findings = [
        _finding(rule, record, last, as_of, year, set_aside.get(record, ()))
        for record in kept
        if record.status is RecordStatus.ACTIVE and record.decided_at <= as_of
        for rule in ruleset.candidates(purpose, record.category)
        if rule.matches(record, purpose) and rule.applies_for(checker_region)
        for last in [window_last_day(rule, record, ruleset.publicity, ruleset.listing)]
        if _runs(rule, record, last, as_of, year)
    ]
    findings.sort(key=_finding_order)
    return Evaluation(
        verdict=_verdict(findings),
        findings=tuple(findings),
        ruleset_version=ruleset.version,
        appraisal=appraisal_outcome(findings, year) if purpose is Purpose.APPRAISAL else None,
        profile=(
            procurement_profile(records, as_of, ruleset.publicity, ruleset.listing)
            if purpose is Purpose.PROCUREMENT
            else None
        ),
    )


def appraisal_outcome(findings: list[Finding], year: int) -> AppraisalOutcome:
    """The appraisal year's result: the heaviest effect decides (RULES.md §3)."""
    effects = [(f.effect, f.disputed) for f in findings if f.effect is not None]
    if not effects:
        return AppraisalOutcome(year, None)
    heaviest = max((effect for effect, _ in effects), key=lambda effect: effect.weight)
    disputed = all(disputed for effect, disputed in effects if effect is heaviest)
    return AppraisalOutcome(year, heaviest, disputed)


def _runs(rule: Rule, record: RecordFacts, last: date | None, as_of: date, year: int) -> bool:
    if rule.window.kind is WindowKind.CALENDAR_YEARS:
        # A record known on asOf counts for the appraisal years its effects cover.
        return appraisal_effect(rule, record, year)[0] is not None
    return last is None or as_of <= last


def _finding(
    rule: Rule,
    record: RecordFacts,
    last: date | None,
    as_of: date,
    year: int,
    same_act: tuple[int, ...],
) -> Finding:
    effect, effect_years = appraisal_effect(rule, record, year)
    return Finding(
        rule=rule,
        record=record,
        outcome=Outcome.REVIEW if record.disputed else rule.outcome,
        restricts_until=last,
        disputed=record.disputed,
        effect=effect,
        effect_years=effect_years,
        same_act=same_act,
        pending_review=record.objection is ObjectionKind.SANCTION_REVIEW,
        objection_overdue=(
            record.objection is not None
            and record.objection_due is not None
            and record.objection_due < as_of
        ),
    )


def _verdict(findings: list[Finding]) -> Verdict:
    if any(f.outcome is Outcome.RESTRICTED for f in findings):
        return Verdict.RESTRICTED
    if findings:
        return Verdict.REVIEW
    return Verdict.CLEAR


def _finding_order(finding: Finding) -> tuple[int, int, int, str, int]:
    # Restrictions first; within them the heaviest appraisal effect, open-ended ones, then
    # the latest end date.
    severity = 0 if finding.outcome is Outcome.RESTRICTED else 1
    weight = finding.effect.weight if finding.effect else -1
    until = finding.restricts_until.toordinal() if finding.restricts_until else 10**7
    return severity, -weight, -until, finding.rule.id, finding.record.id
