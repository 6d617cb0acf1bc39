"""Checking a chunk of a batch and how each answer reads in the results workbook: in
Chinese, with the rule, the article and the record behind each finding, and personal data
masked unless the officer asked for it in clear."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import AgencyFamily
from hub.auth.actor import Actor
from hub.checks.purposes import Outcome, Purpose
from hub.checks.rules import Finding, RuleSet
from hub.checks.service import CheckOutcome, CheckRequest, run_checks
from hub.errors import HubError
from hub.screening.lists import BatchItem, RowProblem
from hub.screening.workbook import BatchMeta, ResultRow
from hub.subjects.identifiers import IdNumber, mask_name
from hub.subjects.pii import PiiCipher

NO_FIXED_END = "无固定期限"
FAMILY_LABELS = {
    AgencyFamily.DISCIPLINE: "纪检监察",
    AgencyFamily.COURT: "法院",
    AgencyFamily.HR: "组织人事",
    AgencyFamily.FINANCE: "财政",
}


@dataclass(frozen=True)
class Screening:
    """What every row of one batch shares."""

    purpose: Purpose
    reference: str
    as_of: date
    show_pii: bool = False
    # APPRAISAL: the 年度考核 year judged, unless a row names its own.
    appraisal_year: int | None = None


@dataclass
class Answered:
    rows: list[ResultRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    coverage: dict[AgencyFamily, datetime | None] = field(default_factory=dict)


async def check_chunk(
    session: AsyncSession,
    pii: PiiCipher,
    ruleset: RuleSet,
    actor: Actor,
    screening: Screening,
    items: Sequence[BatchItem],
) -> Answered:
    """Runs the items through `run_checks` (which stores them) and formats the answers while
    the records behind each finding are still at hand."""
    requests = [
        CheckRequest(
            screening.purpose,
            i.subject,
            screening.reference,
            screening.as_of,
            i.name,
            appraisal_year=i.appraisal_year or screening.appraisal_year,
        )
        for i in items
    ]
    answered = Answered()
    for item, outcome in zip(
        items, await run_checks(session, pii, ruleset, actor, requests), strict=True
    ):
        if isinstance(outcome, HubError):
            answered.problems.append(problem_of(item, outcome))
            continue
        answered.rows.append(
            result_row(item, screening.purpose, outcome, show_pii=screening.show_pii)
        )
        answered.coverage = outcome.coverage
    return answered


def result_row(
    item: BatchItem, purpose: Purpose, outcome: CheckOutcome, *, show_pii: bool
) -> ResultRow:
    findings = outcome.evaluation.findings
    return ResultRow(
        row=item.row,
        name=_name(item, outcome, show_pii),
        subject=_subject(item, show_pii),
        purpose=f"{purpose.label} ({purpose.value})",
        verdict=outcome.evaluation.verdict,
        restricts_until=_numbered(
            [f.restricts_until.isoformat() if f.restricts_until else NO_FIXED_END for f in findings]
        ),
        rules=_numbered([_rule_text(f.rule.id, f.rule.description, f.outcome) for f in findings]),
        legal_basis=_numbered([f.rule.legal_basis for f in findings]),
        records=_numbered([_record_text(outcome, f) for f in findings]),
        notes="\n".join(_notes(item, outcome)),
        check_id=outcome.check.id,
    )


def problem_of(item: BatchItem, error: HubError) -> RowProblem:
    """A check the service refused: reported like a row that could not be read."""
    return RowProblem(item.row, error.field, error.for_officers)


def batch_meta(
    screening: Screening, ruleset_version: str, started: datetime, source: str, answered: Answered
) -> BatchMeta:
    """The 说明 sheet's facts of one screening (`hub check --batch` and the console alike)."""
    return BatchMeta(
        purpose=f"{screening.purpose.label} ({screening.purpose.value})",
        reference=screening.reference,
        as_of=screening.as_of,
        ruleset_version=ruleset_version,
        checked_at=started,
        source=source,
        show_pii=screening.show_pii,
        coverage=coverage_lines(answered.coverage),
        appraisal_year=screening.appraisal_year,
    )


def coverage_lines(covered: dict[AgencyFamily, datetime | None]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (FAMILY_LABELS.get(family, family.value), at.date().isoformat() if at else "尚无数据")
        for family, at in covered.items()
    )


def _name(item: BatchItem, outcome: CheckOutcome, show_pii: bool) -> str:
    if not isinstance(item.subject, IdNumber):
        # A body's name is public; the registered one is preferred to what was typed.
        return outcome.organization.name if outcome.organization else item.name or ""
    if item.name:
        return item.name if show_pii else mask_name(item.name)
    return outcome.person.name_masked if outcome.person else ""


def _subject(item: BatchItem, show_pii: bool) -> str:
    if isinstance(item.subject, IdNumber):
        return item.subject.number if show_pii else item.subject.masked
    return item.subject.code


def _rule_text(rule_id: str, description: str, outcome: Outcome) -> str:
    review = "（需人工复核）" if outcome is Outcome.REVIEW else ""
    return f"{rule_id} {description}{review}"


def _record_text(outcome: CheckOutcome, finding: Finding) -> str:
    record = outcome.records[finding.record.id]
    kind = record.sanction_kind.label if record.sanction_kind else record.category.label
    marks = "［数据异议处理中］" if finding.disputed else ""
    marks += "［已申请复审复核，不停止执行］" if finding.pending_review else ""
    marks += "［异议逾期未处理］" if finding.objection_overdue else ""
    return f"{record.source_ref}（{kind}，{record.decided_at.isoformat()}）{marks}"


def _notes(item: BatchItem, outcome: CheckOutcome) -> list[str]:
    notes = [item.note] if item.note else []
    appraisal = outcome.evaluation.appraisal
    if appraisal is not None:
        effect = appraisal.effect.label if appraisal.effect else "不受影响"
        notes.append(f"{appraisal.year} 年度考核：{effect}")
    notes.extend(outcome.warnings)
    if item.duplicate_of is not None:
        notes.append(f"与第 {item.duplicate_of} 行为同一核查对象")
    return notes


def _numbered(lines: Sequence[str]) -> str:
    # Several findings share a cell; numbers let the officer match a rule to its article.
    if len(lines) <= 1:
        return "".join(lines)
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))
