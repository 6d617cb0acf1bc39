"""信用核查: `check(input)`."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub import clock
from hub.auth.scopes import CHECK_SCOPES
from hub.checks import service
from hub.checks.purposes import Outcome, Purpose, Verdict
from hub.checks.rules import Finding as DomainFinding
from schema.inputs import SubjectInput, parse_subject
from schema.permissions import scoped_field
from schema.types import CreditRecord, Organization, Person, Subject, organization_of, person_of


@strawberry.input
class CheckInput:
    purpose: Purpose
    subject: SubjectInput
    reference: str = strawberry.field(description="招录公告号, 评选批次, 合同号 … (required).")
    as_of: date | None = strawberry.field(default=None, description="Defaults to today.")


@strawberry.type(description="A rule of the rule set, with the law it rests on.")
class Rule:
    id: str
    description: str
    legal_basis: str
    note: str | None


@strawberry.type
class Finding:
    rule: Rule
    record: CreditRecord
    outcome: Outcome
    restricts_until: date | None = strawberry.field(
        description="Last restricted day (inclusive); null when the restriction has no fixed end."
    )
    disputed: bool = strawberry.field(description="The record is under objection (异议).")


@strawberry.type
class CheckResult:
    id: strawberry.ID
    purpose: Purpose
    reference: str
    as_of: date
    verdict: Verdict
    findings: list[Finding]
    ruleset_version: str
    checked_at: datetime
    subject: Subject | None
    warnings: list[str]


def _finding(finding: DomainFinding, outcome: service.CheckOutcome) -> Finding:
    rule = finding.rule
    return Finding(
        rule=Rule(
            id=rule.id, description=rule.description, legal_basis=rule.legal_basis, note=rule.note
        ),
        record=CreditRecord(row=outcome.records[finding.record.id]),
        outcome=finding.outcome,
        restricts_until=finding.restricts_until,
        disputed=finding.disputed,
    )


def to_result(outcome: service.CheckOutcome) -> CheckResult:
    check = outcome.check
    subject: Person | Organization | None = None
    if outcome.person is not None:
        subject = person_of(outcome.person)
    elif outcome.organization is not None:
        subject = organization_of(outcome.organization)
    return CheckResult(
        id=strawberry.ID(check.id),
        purpose=check.purpose,
        reference=check.reference,
        as_of=check.as_of,
        verdict=check.verdict,
        findings=[_finding(f, outcome) for f in outcome.evaluation.findings],
        ruleset_version=check.ruleset_version,
        checked_at=check.checked_at,
        subject=subject,
        warnings=list(outcome.warnings),
    )


@strawberry.type
class CheckQueries:
    @scoped_field(
        *CHECK_SCOPES,
        description="信用核查 for one subject. The purpose needs its own scope (check:hiring …).",
    )
    async def check(self, info: strawberry.Info, input: CheckInput) -> CheckResult:
        context = info.context
        request = service.CheckRequest(
            purpose=input.purpose,
            subject=parse_subject(input.subject, "input.subject"),
            reference=input.reference,
            as_of=input.as_of or clock.today(),
            name=input.subject.name,
        )
        outcome = await service.run_check(
            context.session, context.services.pii, context.services.ruleset, context.actor, request
        )
        return to_result(outcome)
