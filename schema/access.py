"""Reads of persons outside a check: each states a purpose and is noted for the audit trail
(PIPL Art. 6 and 55). Checks state theirs in their input and are noted by the check service."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import strawberry

from hub.audit.chain import AccessEntry
from hub.audit.purposes import AccessPurpose
from hub.audit.service import note
from hub.checks.service import MAX_REFERENCE
from hub.db.base import utcnow
from hub.errors import InvalidInput, PurposeRequired
from hub.records.enums import SubjectType

PURPOSE_HELP = (
    "why the person is read (PIPL Art. 6): pass the argument `purpose` or the header "
    "X-Hub-Purpose, one of " + ", ".join(p.value for p in AccessPurpose)
)


@dataclass(frozen=True)
class Stated:
    purpose: AccessPurpose
    reference: str | None


def stated_purpose(
    info: strawberry.Info, purpose: AccessPurpose | None = None, reference: str | None = None
) -> Stated:
    context = info.context
    chosen = purpose or context.purpose
    if chosen is None:
        raise PurposeRequired(PURPOSE_HELP, field="purpose")
    given = reference if reference is not None else context.reference
    if given is not None and len(given) > MAX_REFERENCE:
        raise InvalidInput(f"longer than {MAX_REFERENCE} characters", field="reference")
    cleaned = given.strip() if given else ""
    return Stated(chosen, cleaned or None)


def note_person_reads(
    info: strawberry.Info, stated: Stated, operation: str, reads: Iterable[tuple[str, str]]
) -> None:
    """`reads`: (keyed hash of the ID number, what was returned) for each person read."""
    at = utcnow()
    note(
        info.context.session,
        (
            AccessEntry(
                operation=operation,
                subject_type=SubjectType.PERSON.value,
                subject_key=key,
                purpose=stated.purpose.value,
                reference=stated.reference,
                result=result,
                at=at,
            )
            for key, result in dict(reads).items()
        ),
    )
