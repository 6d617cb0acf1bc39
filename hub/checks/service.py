"""Answering a 信用核查: find the subject, load its records, apply the rule set, store the check."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.actor import Actor
from hub.checks.models import Check
from hub.checks.purposes import Purpose
from hub.checks.rules import Evaluation, RecordFacts, RuleSet, evaluate
from hub.errors import InvalidInput, Unsupported
from hub.records.enums import SubjectType
from hub.records.models import CreditRecord
from hub.subjects.identifiers import IdNumber, Uscc
from hub.subjects.models import Organization, Person
from hub.subjects.pii import PiiCipher

MAX_REFERENCE = 200


@dataclass(frozen=True)
class CheckRequest:
    purpose: Purpose
    subject: IdNumber | Uscc
    reference: str
    as_of: date
    name: str | None = None


@dataclass(frozen=True)
class CheckOutcome:
    check: Check
    evaluation: Evaluation
    person: Person | None
    organization: Organization | None
    records: dict[int, CreditRecord]
    warnings: tuple[str, ...]


def facts_of(record: CreditRecord) -> RecordFacts:
    return RecordFacts(
        id=record.id,
        subject_type=record.subject_type,
        category=record.category,
        sanction_kind=record.sanction_kind,
        status=record.status,
        decided_at=record.decided_at,
        effective_until=record.effective_until,
    )


async def run_check(
    session: AsyncSession,
    pii: PiiCipher,
    ruleset: RuleSet,
    actor: Actor,
    request: CheckRequest,
) -> CheckOutcome:
    actor.require(request.purpose.scope)
    if not any(request.purpose in rule.purposes for rule in ruleset.rules):
        # A CLEAR from a rule set that cannot restrict would be a false assurance.
        raise Unsupported(
            f"rule set {ruleset.version} has no rules for {request.purpose.value} yet; "
            "no verdict is given",
            field="input.purpose",
        )
    reference = request.reference.strip()
    if not reference:
        raise InvalidInput(
            "every check states its reference (招录公告号, 评选批次, 合同号)",
            field="input.reference",
        )
    if len(reference) > MAX_REFERENCE:
        raise InvalidInput(f"longer than {MAX_REFERENCE} characters", field="input.reference")

    person = organization = None
    warnings: list[str] = []
    if isinstance(request.subject, IdNumber):
        subject_type = SubjectType.PERSON
        subject_key = pii.lookup_hash(request.subject.number)
        person = await session.scalar(select(Person).where(Person.id_hash == subject_key))
        owner_column, owner_id = CreditRecord.person_id, person.id if person else None
        if (
            person
            and request.name
            and pii.lookup_hash(request.name.strip(), purpose="name") != person.name_hash
        ):
            warnings.append("所填姓名与身份证号码登记的姓名不一致，请核对身份")
    else:
        subject_type = SubjectType.ORGANIZATION
        subject_key = request.subject.code
        organization = await session.scalar(
            select(Organization).where(Organization.uscc == subject_key)
        )
        owner_column, owner_id = (
            CreditRecord.organization_id,
            organization.id if organization else None,
        )
        if request.subject.warning:
            warnings.append(
                f"统一社会信用代码校验位不符（早期试点代码）：{request.subject.warning}"
            )

    records: list[CreditRecord] = []
    if owner_id is not None:
        records = list(await session.scalars(select(CreditRecord).where(owner_column == owner_id)))
    evaluation = evaluate(ruleset, [facts_of(r) for r in records], request.purpose, request.as_of)

    by_id = {r.id: r for r in records}
    check = Check(
        id=str(uuid.uuid4()),
        client_id=actor.client_id,
        agency_id=actor.agency_id,
        purpose=request.purpose,
        reference=reference,
        subject_type=subject_type,
        subject_key=subject_key,
        as_of=request.as_of,
        verdict=evaluation.verdict,
        ruleset_version=evaluation.ruleset_version,
        result=result_document(evaluation, by_id, warnings),
    )
    session.add(check)
    await session.flush()
    return CheckOutcome(check, evaluation, person, organization, by_id, tuple(warnings))


def result_document(
    evaluation: Evaluation, records: dict[int, CreditRecord], warnings: list[str]
) -> dict[str, Any]:
    """What is stored with the check: enough to reproduce the answer, no clear PII."""
    return {
        "verdict": evaluation.verdict.value,
        "rulesetVersion": evaluation.ruleset_version,
        "warnings": warnings,
        "findings": [
            {
                "rule": f.rule.id,
                "legalBasis": f.rule.legal_basis,
                "outcome": f.outcome.value,
                "record": f.record.id,
                "sourceRef": records[f.record.id].source_ref,
                "recordVersion": records[f.record.id].version,
                "restrictsUntil": f.restricts_until.isoformat() if f.restricts_until else None,
                "disputed": f.disputed,
            }
            for f in evaluation.findings
        ],
    }
