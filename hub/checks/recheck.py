"""Re-running a stored check with the rule set in force now: the same subject, purpose, asOf
and appraisal year, answered and stored again, and what changed between the two answers."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency
from hub.auth.actor import Actor
from hub.checks.models import Check
from hub.checks.purposes import Purpose
from hub.checks.rules import RuleSet
from hub.checks.service import MAX_REFERENCE, CheckOutcome, CheckRequest, run_check
from hub.errors import InvalidInput, NotFound
from hub.records.enums import SubjectType
from hub.subjects.identifiers import IdNumber, Uscc, parse_id_number, parse_uscc
from hub.subjects.pii import PiiCipher
from hub.subjects.service import persons_by_hash

# (rule, record, outcome, last restricted day): what one finding says.
FindingKey = tuple[str, int, str, str | None]


@dataclass(frozen=True)
class Recheck:
    before: Check
    after: CheckOutcome
    added: tuple[FindingKey, ...]
    removed: tuple[FindingKey, ...]

    @property
    def verdict_changed(self) -> bool:
        return self.before.verdict is not self.after.evaluation.verdict


async def recheck(
    session: AsyncSession, pii: PiiCipher, ruleset: RuleSet, actor: Actor, check_id: str
) -> Recheck:
    before = await session.get(Check, check_id.strip())
    if before is None:
        raise NotFound(f"no stored check {check_id}", field="check_id")
    request = CheckRequest(
        purpose=before.purpose,
        subject=await _subject(session, pii, before),
        reference=f"重新核查 {before.id}：{before.reference}"[:MAX_REFERENCE],
        as_of=before.as_of,
        appraisal_year=_appraisal_year(before),
    )
    # Local rules are judged for the agency that asked, as they were the first time.
    asker = await session.get(Agency, before.agency_id) if before.agency_id else None
    as_asker = replace(actor, region_code=asker.region_code if asker else None)
    after = await run_check(session, pii, ruleset, as_asker, request)
    old, new = set(_stored_findings(before)), set(_findings(after))
    return Recheck(before, after, tuple(sorted(new - old)), tuple(sorted(old - new)))


async def _subject(session: AsyncSession, pii: PiiCipher, check: Check) -> IdNumber | Uscc:
    if check.subject_type is SubjectType.ORGANIZATION:
        return parse_uscc(check.subject_key)
    # A stored check keeps a keyed hash, never the number: it comes back from the person.
    person = (await persons_by_hash(session, [check.subject_key])).get(check.subject_key)
    if person is None:
        raise InvalidInput(
            "the person checked was not on file then and is not now: there is nothing to "
            "judge again (run a new check with the ID number)",
            field="check_id",
        )
    return parse_id_number(pii.decrypt(person.id_cipher))


def _appraisal_year(check: Check) -> int | None:
    if check.purpose is not Purpose.APPRAISAL:
        return None
    appraisal = check.result.get("appraisal") or {}
    year = appraisal.get("year")
    return int(year) if isinstance(year, int) else None


def _stored_findings(check: Check) -> list[FindingKey]:
    return [
        (str(f["rule"]), int(f["record"]), str(f["outcome"]), f.get("restrictsUntil"))
        for f in check.result.get("findings", [])
    ]


def _findings(outcome: CheckOutcome) -> list[FindingKey]:
    return [
        (
            f.rule.id,
            f.record.id,
            f.outcome.value,
            f.restricts_until.isoformat() if f.restricts_until else None,
        )
        for f in outcome.evaluation.findings
    ]
