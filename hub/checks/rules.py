"""The rule engine: (rule set, records, purpose, as_of) → verdict and findings. Pure.

Periods are counted as 民法典 Art. 201–202 count them: the decision day itself is not
counted, and a period of N months ends on the corresponding day of the N-th month (the
last day of that month when it has no such day). So a 6-month 警告 decided 2026-01-10
restricts through 2026-07-10 and no longer on 2026-07-11; `restricts_until` is that last
restricted day, inclusive. APPRAISAL counts calendar years: the appraisal year is the year
of `as_of`, and a calendar-year rule restricts through 31 December of its last year.

A record under objection is reported with outcome REVIEW and `disputed`: it can make the
verdict REVIEW at most. Records no longer in force (REVOKED, CORRECTED, REPAIRED, EXPIRED)
never restrict.
"""

from __future__ import annotations

from datetime import date

from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.checks.rules_model import (
    AppraisalOutcome,
    CategoryCount,
    EffectStep,
    Evaluation,
    Finding,
    OpenItem,
    ProcurementProfile,
    PublicityTerms,
    RecordFacts,
    Rule,
    RuleSet,
    Window,
    WindowKind,
)
from hub.checks.rules_periods import (
    Span,
    add_months,
    appraisal_effect,
    cap_combined_periods,
    same_act_once,
    window_last_day,
)
from hub.checks.rules_procurement import procurement_profile
from hub.records.enums import IN_FORCE, RecordStatus

__all__ = [
    "AppraisalOutcome",
    "CategoryCount",
    "EffectStep",
    "Evaluation",
    "Finding",
    "OpenItem",
    "ProcurementProfile",
    "PublicityTerms",
    "RecordFacts",
    "Rule",
    "RuleSet",
    "Window",
    "WindowKind",
    "add_months",
    "appraisal_outcome",
    "evaluate",
    "procurement_profile",
]


def evaluate(
    ruleset: RuleSet, records: list[RecordFacts], purpose: Purpose, as_of: date
) -> Evaluation:
    kept, set_aside = same_act_once(records)
    spans = cap_combined_periods(_spans(ruleset, kept, purpose, as_of))
    findings = [
        _finding(rule, record, last, as_of, set_aside.get(record, ()))
        for rule, record, last in spans
        if last is None or as_of <= last
    ]
    findings.sort(key=_finding_order)
    return Evaluation(
        verdict=_verdict(findings),
        findings=tuple(findings),
        ruleset_version=ruleset.version,
        appraisal=appraisal_outcome(findings, as_of) if purpose is Purpose.APPRAISAL else None,
        profile=(
            procurement_profile(records, as_of, ruleset.publicity)
            if purpose is Purpose.PROCUREMENT
            else None
        ),
    )


def appraisal_outcome(findings: list[Finding], as_of: date) -> AppraisalOutcome:
    """The appraisal year's result: the heaviest effect decides (RULES.md §3)."""
    effects = [(f.effect, f.disputed) for f in findings if f.effect is not None]
    if not effects:
        return AppraisalOutcome(as_of.year, None)
    heaviest = max((effect for effect, _ in effects), key=lambda effect: effect.weight)
    disputed = all(disputed for effect, disputed in effects if effect is heaviest)
    return AppraisalOutcome(as_of.year, heaviest, disputed)


def _spans(
    ruleset: RuleSet, records: list[RecordFacts], purpose: Purpose, as_of: date
) -> list[Span]:
    spans: list[Span] = []
    for record in records:
        # A record decided after the check date was not known on it.
        if record.status not in IN_FORCE or record.decided_at > as_of:
            continue
        for rule in ruleset.rules:
            if rule.matches(record, purpose):
                spans.append((rule, record, window_last_day(rule, record, ruleset.publicity)))
    return spans


def _finding(
    rule: Rule, record: RecordFacts, last: date | None, as_of: date, same_act: tuple[int, ...]
) -> Finding:
    disputed = record.status is RecordStatus.UNDER_OBJECTION
    effect, effect_years = appraisal_effect(rule, record, as_of)
    return Finding(
        rule=rule,
        record=record,
        outcome=Outcome.REVIEW if disputed else rule.outcome,
        restricts_until=last,
        disputed=disputed,
        effect=effect,
        effect_years=effect_years,
        same_act=same_act,
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
