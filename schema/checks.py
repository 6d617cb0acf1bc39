"""信用核查: `check(input)`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.arguments import InputContext

from hub import clock
from hub.agencies.models import AgencyFamily
from hub.auth.scopes import CHECK_SCOPES
from hub.checks import service
from hub.checks.models import StoredCheck
from hub.checks.purposes import AppraisalEffect, Outcome, Purpose, Verdict
from hub.checks.reports import report_document, sign_report, verify_report
from hub.checks.rules import Finding as DomainFinding
from hub.checks.rules import Rule as DomainRule
from hub.errors import HubError
from schema.check_details import (
    AppraisalResult,
    PurchaserProfile,
    appraisal_result,
    purchaser_profile,
)
from schema.inputs import SubjectInput, parse_subject
from schema.permissions import scoped_field
from schema.types import CreditRecord, Organization, Person, Subject, organization_of, person_of


@strawberry.input
class CheckInput:
    purpose: Purpose
    subject: SubjectInput
    reference: str = strawberry.field(description="招录公告号, 评选批次, 合同号 … (required).")
    as_of: date | None = strawberry.field(default=None, description="Defaults to today.")
    appraisal_year: int | None = strawberry.field(
        default=None,
        description="APPRAISAL: the 年度考核 year judged (the appraisal of 2026 runs into "
        "January 2027). Defaults to the year of asOf.",
    )


def _check_input_of(cls: type[CheckInput], value: Mapping[str, Any], _: InputContext) -> CheckInput:
    """A CheckInput straight from graphql-core's coerced value, in which enum members and
    dates are parsed already. Strawberry's generic conversion looks every field's type up
    again for every input: 0.15 s of a batch of 10,000 (about 5 % of it)."""
    subject = value["subject"]
    return cls(
        purpose=value["purpose"],
        subject=SubjectInput(
            id_number=subject.get("idNumber"), uscc=subject.get("uscc"), name=subject.get("name")
        ),
        reference=value["reference"],
        as_of=value.get("asOf"),
        appraisal_year=value.get("appraisalYear"),
    )


# Strawberry's hook for types that build their own value (StrawberryObjectDefinition.from_input).
CheckInput.__strawberry_definition__.from_input = _check_input_of  # type: ignore[attr-defined]


@strawberry.enum(description="What a rule rests on, which decides what can lift it.")
class RuleBasis(Enum):
    STATUTE = "statute"  # law or civil-service/party rules: repair does not lift it
    MEASURE = "measure"  # a 失信惩戒 measure: ends with publicity, lifted by 信用修复


@strawberry.type(description="A rule of the rule set, with the law it rests on.")
class Rule:
    id: str
    description: str
    legal_basis: str
    note: str | None
    basis: RuleBasis = strawberry.field(
        description="STATUTE: neither 信用修复 nor the end of publicity lifts it; MEASURE: a "
        "失信惩戒 measure, lifted by repair and ended with publicity (令2025年第36号 Art. 3)."
    )
    jurisdiction: str | None = strawberry.field(
        description="行政区划 prefix where a local document applies; null: national."
    )


@strawberry.type(description="What changed in a rule-set version, and why.")
class RuleChange:
    version: str
    rules: list[str] = strawberry.field(description="Rule ids; * for the whole engine.")
    change: str
    reason: str


@strawberry.type
class Finding:
    rule: Rule
    record: CreditRecord
    outcome: Outcome
    restricts_until: date | None = strawberry.field(
        description="Last restricted day (inclusive); null when the restriction has no fixed end."
    )
    disputed: bool = strawberry.field(
        description="The record's data is under objection (异议): REVIEW at most."
    )
    pending_review: bool = strawberry.field(
        default=False,
        description="A 复审/复核 of the sanction is pending: it keeps restricting "
        "(政务处分法 Art. 56).",
    )
    objection_overdue: bool = strawberry.field(
        default=False,
        description="An open objection to the record is past its deadline (异议逾期未处理).",
    )
    effect: AppraisalEffect | None = strawberry.field(
        default=None, description="APPRAISAL: this record's effect on the year's grade."
    )
    effect_years: list[int] = strawberry.field(
        default_factory=list, description="APPRAISAL: the calendar years the effect covers."
    )


@strawberry.type(description="How current one source family's data was when the check ran.")
class SourceCoverage:
    family: AgencyFamily
    last_sync_at: datetime | None = strawberry.field(
        description="Last successful delivery from that family; null if never."
    )


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
    subject_known: bool = strawberry.field(
        description="The hub has this subject on file. False: it holds nothing about it, and a "
        "CLEAR means only that (未在本平台登记); check the identifier."
    )
    warnings: list[str]
    coverage: list[SourceCoverage]
    appraisal: AppraisalResult | None = strawberry.field(
        description="APPRAISAL only: the year judged (appraisalYear) and the heaviest effect."
    )
    profile: PurchaserProfile | None = strawberry.field(
        description="PROCUREMENT only: counts by category over three years and open items."
    )
    check: strawberry.Private[StoredCheck]

    @strawberry.field(
        description="The signed report (compact JWS); verify it with verifyReport or the JWKS."
    )
    async def report_token(self, info: strawberry.Info) -> str:
        agency = (
            await info.context.loaders.agency_by_id.load(self.check.agency_id)
            if self.check.agency_id is not None
            else None
        )
        return sign_report(info.context.runtime.keys, report_document(self.check, agency))


@strawberry.type
class ReportVerification:
    valid: bool
    reason: str | None
    report: JSON | None


def _finding(finding: DomainFinding, outcome: service.CheckOutcome) -> Finding:
    rule = finding.rule
    return Finding(
        rule=rule_of(rule),
        record=CreditRecord(row=outcome.records[finding.record.id]),
        outcome=finding.outcome,
        restricts_until=finding.restricts_until,
        disputed=finding.disputed,
        pending_review=finding.pending_review,
        objection_overdue=finding.objection_overdue,
        effect=finding.effect,
        effect_years=list(finding.effect_years),
    )


# Every answer of a batch names the same few rules and the same coverage: built once (the
# answers are read, never changed).
@lru_cache(maxsize=64)
def _coverage(covered: tuple[tuple[AgencyFamily, datetime | None], ...]) -> list[SourceCoverage]:
    return [SourceCoverage(family=f, last_sync_at=at) for f, at in covered]


@lru_cache(maxsize=1024)
def rule_of(rule: DomainRule) -> Rule:
    return Rule(
        id=rule.id,
        description=rule.description,
        legal_basis=rule.legal_basis,
        note=rule.note,
        basis=RuleBasis(rule.basis.value),
        jurisdiction=rule.jurisdiction,
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
        subject_known=outcome.subject_known,
        warnings=list(outcome.warnings),
        coverage=_coverage(tuple(outcome.coverage.items())),
        appraisal=appraisal_result(outcome.evaluation.appraisal),
        profile=purchaser_profile(outcome.evaluation.profile, outcome.records),
        check=check,
    )


def _request(input: CheckInput, path: str) -> service.CheckRequest:
    return service.CheckRequest(
        purpose=input.purpose,
        subject=parse_subject(input.subject, f"{path}.subject"),
        reference=input.reference,
        as_of=input.as_of or clock.today(),
        name=input.subject.name,
        appraisal_year=input.appraisal_year,
    )


def _located(error: HubError, path: str) -> HubError:
    # Batch errors name the input they belong to: inputs.3.subject.idNumber.
    if error.field and error.field.startswith("input."):
        error.field = path + error.field[len("input") :]
    return error


@strawberry.type
class CheckQueries:
    @scoped_field(
        *CHECK_SCOPES,
        description="信用核查 for one subject. The purpose needs its own scope (check:hiring …).",
    )
    async def check(self, info: strawberry.Info, input: CheckInput) -> CheckResult:
        context = info.context
        outcome = await service.run_check(
            context.session,
            context.runtime.pii,
            context.runtime.ruleset,
            context.actor,
            _request(input, "input"),
            context.runtime.coverage,
        )
        return to_result(outcome)

    @scoped_field(
        *CHECK_SCOPES,
        description="Up to 10,000 checks in one call (a 评优评先 screening). Answers come in "
        "the order asked; an input that cannot be checked is null with an error at its index.",
    )
    async def checks(
        self, info: strawberry.Info, inputs: list[CheckInput]
    ) -> list[CheckResult | None]:
        context = info.context
        requests: list[service.CheckRequest | HubError] = []
        for index, item in enumerate(inputs):
            try:
                requests.append(_request(item, f"inputs.{index}"))
            except HubError as error:
                requests.append(error)
        valid = [r for r in requests if isinstance(r, service.CheckRequest)]
        outcomes = iter(
            await service.run_checks(
                context.session,
                context.runtime.pii,
                context.runtime.ruleset,
                context.actor,
                valid,
            )
        )
        answers: list[Any] = []
        for index, request in enumerate(requests):
            answer = request if isinstance(request, HubError) else next(outcomes)
            # graphql-core turns an exception in a list into an error at that index.
            answers.append(
                _located(answer, f"inputs.{index}")
                if isinstance(answer, HubError)
                else to_result(answer)
            )
        return answers

    @strawberry.field(
        description="What changed in the rule set after version `since` (e.g. 2026.11.2), and "
        "why: so an HR department can see why an answer differs from last month's."
    )
    def rule_changes(self, info: strawberry.Info, since: str) -> list[RuleChange]:
        return [
            RuleChange(version=c.version, rules=list(c.rules), change=c.change, reason=c.reason)
            for c in info.context.runtime.ruleset.changes_since(since)
        ]

    @strawberry.field(
        description="Public: is this report token signed by this hub and intact? Needs no token."
    )
    def verify_report(self, info: strawberry.Info, token: str) -> ReportVerification:
        verification = verify_report(info.context.runtime.keys, token)
        report: Any = verification.document
        return ReportVerification(
            valid=verification.valid, reason=verification.reason, report=report
        )
