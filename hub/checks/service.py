"""Answering 信用核查 checks: find the subjects, load their records, apply the rule set,
store every check. One check and a batch of 10,000 take the same path, with a bounded
number of queries (one per chunk of subjects, not one per subject)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.rules import in_jurisdiction
from hub.agencies.feeds import coverage
from hub.agencies.models import Agency, AgencyFamily
from hub.audit.chain import AccessEntry
from hub.audit.purposes import MAX_REFERENCE
from hub.audit.service import note
from hub.auth.actor import Actor
from hub.checks.facts import facts_of
from hub.checks.models import Check, StoredCheck
from hub.checks.purposes import Purpose
from hub.checks.reports import report_document
from hub.checks.rules import Evaluation, RuleSet, evaluate
from hub.db.base import utcnow
from hub.db.bulk import insert_many
from hub.errors import Forbidden, HubError, InvalidInput, Unsupported
from hub.records.drafts import name_limit
from hub.records.enums import SubjectType
from hub.records.models import RecordFields
from hub.records.service import persons_with_records, records_of_subjects
from hub.subjects.identifiers import IdNumber, Uscc, mask_name
from hub.subjects.models import Organization, Person
from hub.subjects.pii import PiiCipher
from hub.subjects.service import organizations_by_uscc

MIN_AS_OF = date(1950, 1, 1)
MAX_AS_OF = date(2199, 12, 31)
MAX_BATCH = 10_000


@dataclass(frozen=True)
class CheckRequest:
    purpose: Purpose
    subject: IdNumber | Uscc
    reference: str
    as_of: date
    name: str | None = None
    # APPRAISAL: the 年度考核 year judged; None: the year of as_of.
    appraisal_year: int | None = None


@dataclass(frozen=True)
class CheckOutcome:
    check: StoredCheck
    evaluation: Evaluation
    person: Person | None
    organization: Organization | None
    records: dict[int, RecordFields]
    warnings: tuple[str, ...]
    coverage: dict[AgencyFamily, datetime | None]

    @property
    def subject_known(self) -> bool:
        """The hub has the subject on file. A CLEAR about a subject it has never seen means
        only that it holds nothing: reports say so (未在本平台登记)."""
        return self.person is not None or self.organization is not None


CoverageSource = Callable[[AsyncSession], Awaitable[dict[AgencyFamily, datetime | None]]]


async def run_check(
    session: AsyncSession,
    pii: PiiCipher,
    ruleset: RuleSet,
    actor: Actor,
    request: CheckRequest,
    coverage_of: CoverageSource = coverage,
) -> CheckOutcome:
    [outcome] = await run_checks(session, pii, ruleset, actor, [request], coverage_of)
    if isinstance(outcome, HubError):
        raise outcome
    return outcome


async def run_checks(
    session: AsyncSession,
    pii: PiiCipher,
    ruleset: RuleSet,
    actor: Actor,
    requests: Sequence[CheckRequest],
    coverage_of: CoverageSource = coverage,
) -> list[CheckOutcome | HubError]:
    """Answers in the order asked. A request the caller may not make, or that is malformed,
    gets its error in its place; the others are answered and stored."""
    if len(requests) > MAX_BATCH:
        raise InvalidInput(
            f"at most {MAX_BATCH} checks per call, got {len(requests)}; split the list",
            field="inputs",
        )
    problems = [_problem(ruleset, actor, r) for r in requests]
    keys = [_subject_key(pii, r.subject) for r in requests]
    # Only the subjects of checks the caller may make are looked up.
    allowed = [(r, k) for r, k, p in zip(requests, keys, problems, strict=True) if p is None]
    persons, person_records = await persons_with_records(
        session, (k for r, k in allowed if isinstance(r.subject, IdNumber))
    )
    organizations = await organizations_by_uscc(
        session, (k for r, k in allowed if isinstance(r.subject, Uscc))
    )
    organization_records = await records_of_subjects(
        session, SubjectType.ORGANIZATION, [o.id for o in organizations.values()], for_checks=True
    )
    covered = await coverage_of(session) if allowed else {}

    outcomes: list[CheckOutcome | HubError] = []
    for request, key, problem in zip(requests, keys, problems, strict=True):
        if problem is not None:
            outcomes.append(problem)
            continue
        person = persons.get(key) if isinstance(request.subject, IdNumber) else None
        organization = organizations.get(key) if isinstance(request.subject, Uscc) else None
        records = (
            person_records[person.id]
            if person
            else organization_records[organization.id]
            if organization
            else []
        )
        outcomes.append(
            _answer(ruleset, actor, request, key, person, organization, records, covered, pii)
        )
    answered = [o.check for o in outcomes if isinstance(o, CheckOutcome)]
    if answered:
        # Plain rows into one table, not the ORM's bulk path (a batch of 10,000 spent 6 % of
        # its time there collecting insert parameters); COPY for a batch's thousands.
        table = Check.metadata.tables[Check.__tablename__]
        await insert_many(session, table, [c.row() for c in answered])
        note(session, (check_access(c, "check", _summary(c), c.checked_at) for c in answered))
    return outcomes


def _summary(check: StoredCheck) -> str:
    return f"{check.verdict.value}; check {check.id}"


async def stored_report(
    session: AsyncSession, check_id: str
) -> tuple[Check, dict[str, Any]] | None:
    """A stored check and its report document; None when it is absent or, through the
    caller's session (hub.access), another agency's. Each caller notes its own access."""
    check = await session.get(Check, check_id)
    if check is None:
        return None
    agency = await session.get(Agency, check.agency_id) if check.agency_id else None
    return check, report_document(check, agency)


def check_access(
    check: Check | StoredCheck, operation: str, result: str, at: datetime
) -> AccessEntry:
    """The audit entry of a check, or of anything shown from it (its report page)."""
    return AccessEntry(
        operation=operation,
        subject_type=check.subject_type.value,
        subject_key=check.subject_key,
        purpose=check.purpose.value,
        reference=check.reference,
        result=result,
        at=at,
    )


def _problem(ruleset: RuleSet, actor: Actor, request: CheckRequest) -> HubError | None:
    try:
        actor.require(request.purpose.scope)
        if not in_jurisdiction(actor.jurisdiction, request.subject.region_code):
            raise Forbidden(
                f"the subject is registered outside this client's jurisdiction "
                f"({actor.jurisdiction})",
                field="input.subject",
                zh=f"核查对象登记地不在本单位管辖范围（{actor.jurisdiction}）内",
            )
        if not MIN_AS_OF <= request.as_of <= MAX_AS_OF:
            # The rules count months back and forth from asOf; outside these years the
            # answer would mean nothing (and date arithmetic would leave the calendar).
            raise InvalidInput(
                f"asOf must lie between {MIN_AS_OF} and {MAX_AS_OF}",
                field="input.asOf",
                zh=f"核查基准日应在{MIN_AS_OF}至{MAX_AS_OF}之间",
            )
        _check_appraisal_year(request)
        subject_type = _subject_type(request)
        if not any(
            request.purpose in rule.purposes
            and rule.subject_type in (None, subject_type)
            and rule.applies_for(actor.region_code)
            for rule in ruleset.rules
        ):
            # A CLEAR from rules that could never restrict this subject would be a false
            # assurance (e.g. PROCUREMENT is about purchasers, i.e. organizations; the
            # appraisal of bodies rests on a local document).
            raise Unsupported(
                f"rule set {ruleset.version} has no {request.purpose.value} rules for "
                f"{subject_type.value.lower()} subjects in force for this agency's region; "
                "no verdict is given",
                field="input.purpose",
                zh=f"规则集{ruleset.version}对此类对象没有适用于本地区的{request.purpose.label}"
                "规则，不作结论",
            )
        limit = name_limit(isinstance(request.subject, IdNumber))
        if request.name and len(request.name.strip()) > limit:
            raise InvalidInput(
                f"longer than {limit} characters",
                field="input.subject.name",
                zh=f"姓名或名称不得超过{limit}字",
            )
        reference = request.reference.strip()
        if not reference:
            raise InvalidInput(
                "every check states its reference (招录公告号, 评选批次, 合同号)",
                field="input.reference",
                zh="每次核查须填写核查事由（招录公告号、评选批次、合同号等）",
            )
        if len(reference) > MAX_REFERENCE:
            raise InvalidInput(
                f"longer than {MAX_REFERENCE} characters",
                field="input.reference",
                zh=f"核查事由不得超过{MAX_REFERENCE}字",
            )
    except HubError as error:
        return error
    return None


def _check_appraisal_year(request: CheckRequest) -> None:
    year = request.appraisal_year
    if year is None:
        return
    if request.purpose is not Purpose.APPRAISAL:
        raise InvalidInput("appraisalYear belongs to APPRAISAL checks", field="input.appraisalYear")
    if not MIN_AS_OF.year <= year <= request.as_of.year:
        # A year not yet begun on asOf cannot be judged from what was known on asOf.
        raise InvalidInput(
            f"appraisalYear must lie between {MIN_AS_OF.year} and the year of asOf "
            f"({request.as_of.year})",
            field="input.appraisalYear",
        )


def _subject_type(request: CheckRequest) -> SubjectType:
    return SubjectType.PERSON if isinstance(request.subject, IdNumber) else SubjectType.ORGANIZATION


def _subject_key(pii: PiiCipher, subject: IdNumber | Uscc) -> str:
    # Keyed hash for persons, so a stored check never holds a clear ID number.
    return pii.lookup_hash(subject.number) if isinstance(subject, IdNumber) else subject.code


def _answer(
    ruleset: RuleSet,
    actor: Actor,
    request: CheckRequest,
    key: str,
    person: Person | None,
    organization: Organization | None,
    records: list[RecordFields],
    covered: dict[AgencyFamily, datetime | None],
    pii: PiiCipher,
) -> CheckOutcome:
    known = person is not None or organization is not None
    warnings = _warnings(request, person, known, pii)
    evaluation = evaluate(
        ruleset,
        [facts_of(r) for r in records],
        request.purpose,
        request.as_of,
        appraisal_year=request.appraisal_year,
        checker_region=actor.region_code,
    )
    by_id = {r.id: r for r in records}
    check = StoredCheck(
        id=str(uuid.uuid4()),
        client_id=actor.client_id,
        agency_id=actor.agency_id,
        checked_by=actor.principal if actor.user else None,
        purpose=request.purpose,
        reference=request.reference.strip(),
        subject_type=_subject_type(request),
        subject_key=key,
        as_of=request.as_of,
        verdict=evaluation.verdict,
        ruleset_version=evaluation.ruleset_version,
        result=result_document(
            evaluation, by_id, warnings, covered, _display(request, person, organization), known
        ),
        checked_at=utcnow(),
    )
    return CheckOutcome(check, evaluation, person, organization, by_id, tuple(warnings), covered)


UNKNOWN_SUBJECT = "核查对象未在本平台登记：本平台未汇集到其任何记录，结论仅表示未发现记录"
BAD_CHECK_CHARACTER = (
    "统一社会信用代码校验位不符：可能是输入错误，请核对；早期试点代码校验位不符属正常"
)


def _warnings(
    request: CheckRequest, person: Person | None, known: bool, pii: PiiCipher
) -> list[str]:
    warnings = []
    if isinstance(request.subject, Uscc) and request.subject.warning:
        warnings.append(BAD_CHECK_CHARACTER)
    if not known:
        warnings.append(UNKNOWN_SUBJECT)
    name_given = request.name.strip() if request.name else ""
    if person and name_given and pii.lookup_hash(name_given, purpose="name") != person.name_hash:
        warnings.append("所填姓名与身份证号码登记的姓名不一致，请核对身份")
    return warnings


def _display(
    request: CheckRequest, person: Person | None, organization: Organization | None
) -> dict[str, str | None]:
    """How the report names the subject: masked for persons, in full for bodies."""
    if isinstance(request.subject, IdNumber):
        name = person.name_masked if person else mask_name(request.name or "")
        return {"type": "PERSON", "idNumber": request.subject.masked, "name": name or None}
    return {
        "type": "ORGANIZATION",
        "uscc": request.subject.code,
        "name": organization.name if organization else request.name,
    }


def result_document(
    evaluation: Evaluation,
    records: dict[int, RecordFields],
    warnings: list[str],
    covered: dict[AgencyFamily, datetime | None],
    subject: dict[str, str | None],
    known: bool,
) -> dict[str, Any]:
    """What is stored with the check: enough to reproduce the answer and print its report,
    and no clear personal data."""
    return {
        "subject": subject,
        "subjectKnown": known,
        "verdict": evaluation.verdict.value,
        "rulesetVersion": evaluation.ruleset_version,
        "appraisal": _appraisal(evaluation),
        "warnings": warnings,
        "coverage": {f.value: at.isoformat() if at else None for f, at in covered.items()},
        "findings": [
            {
                "rule": f.rule.id,
                "description": f.rule.description,
                "legalBasis": f.rule.legal_basis,
                "category": records[f.record.id].category.label,
                "sanction": _sanction_label(records[f.record.id]),
                "decidedAt": records[f.record.id].decided_at.isoformat(),
                "outcome": f.outcome.value,
                "record": f.record.id,
                "sourceRef": records[f.record.id].source_ref,
                "recordVersion": records[f.record.id].version,
                "restrictsUntil": f.restricts_until.isoformat() if f.restricts_until else None,
                "disputed": f.disputed,
                "pendingReview": f.pending_review,
                "objectionOverdue": f.objection_overdue,
                "basis": f.rule.basis.value,
                "effect": f.effect.value if f.effect else None,
            }
            for f in evaluation.findings
        ],
    }


def _sanction_label(record: RecordFields) -> str | None:
    return record.sanction_kind.label if record.sanction_kind else None


def _appraisal(evaluation: Evaluation) -> dict[str, Any] | None:
    appraisal = evaluation.appraisal
    if appraisal is None:
        return None
    return {
        "year": appraisal.year,
        "effect": appraisal.effect.value if appraisal.effect else None,
        "disputed": appraisal.disputed,
    }
