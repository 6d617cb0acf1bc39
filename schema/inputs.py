"""Inputs, and their translation into domain values. Identifier errors name the input path."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from hub import clock
from hub.errors import InvalidInput
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity, SubjectType
from hub.subjects.identifiers import IdNumber, Uscc, parse_id_number, parse_uscc


@strawberry.input(description="Whom a record or check is about: idNumber (person) or uscc.")
class SubjectInput:
    id_number: str | None = None
    uscc: str | None = None
    name: str | None = None


@strawberry.input(description="One record pushed by its source agency.")
class RecordInput:
    source_ref: str = strawberry.field(description="文号 or 案号; unique per source agency.")
    category: RecordCategory
    severity: Severity
    subject: SubjectInput
    decided_at: date = strawberry.field(description="Decision date (党纪处分: approval date).")
    summary: str
    sanction_kind: SanctionKind | None = None
    legal_basis: str | None = None
    status: RecordStatus | None = strawberry.field(
        default=None,
        description="ACTIVE (default); REVOKED or CORRECTED to withdraw the source's own record.",
    )
    detail: JSON | None = None
    effective_until: date | None = strawberry.field(
        default=None,
        description="The end the source states: a listing deleted, or the period a decision "
        "set (政务处分法 Art. 15: one decision combining sanctions, at most 48 months).",
    )
    previous_subject: SubjectInput | None = strawberry.field(
        default=None,
        description="With status CORRECTED: the subject this sourceRef named before, from which "
        "the source withdraws it. Without it, a sourceRef that names another subject is "
        "refused (SUBJECT_CHANGED).",
    )


@strawberry.input
class RecordFilter:
    category: RecordCategory | None = None
    status: RecordStatus | None = None
    subject_type: SubjectType | None = None
    subject: SubjectInput | None = None
    source_agency_uscc: str | None = None
    decided_from: date | None = None
    decided_to: date | None = None


def to_draft(record: RecordInput) -> RecordDraft:
    return RecordDraft(
        source_ref=record.source_ref,
        category=record.category,
        severity=record.severity,
        subject=_subject_draft(record.subject),
        decided_at=record.decided_at,
        summary=record.summary,
        sanction_kind=record.sanction_kind,
        legal_basis=record.legal_basis,
        status=record.status,
        detail=record.detail,  # type: ignore[arg-type]
        effective_until=record.effective_until,
        previous_subject=_subject_draft(record.previous_subject)
        if record.previous_subject
        else None,
    )


def _subject_draft(subject: SubjectInput) -> SubjectDraft:
    return SubjectDraft(id_number=subject.id_number, uscc=subject.uscc, name=subject.name)


def parse_subject(subject: SubjectInput, path: str) -> IdNumber | Uscc:
    has_id, has_uscc = bool(subject.id_number), bool(subject.uscc)
    if has_id == has_uscc:
        raise InvalidInput(
            "give exactly one of idNumber (a person) or uscc (an organization)", field=path
        )
    if has_id:
        return parse_id_number(
            subject.id_number or "", field=f"{path}.idNumber", today=clock.today()
        )
    return parse_uscc(subject.uscc or "", field=f"{path}.uscc")


# Each entity type's `@key` (schema.types): what the federation router sends to `_entities`.
ENTITY_KEYS = {"Person": "id", "Organization": "uscc"}


def parse_representation(representation: object, path: str) -> dict[str, str]:
    """`{__typename, <key>}` with a string key, as the router sends it. Strawberry passes each
    representation to `resolve_reference` as keyword arguments, so any other shape would fail
    there as an unexpected error; here it is refused as bad input."""
    if isinstance(representation, dict):
        key = ENTITY_KEYS.get(str(representation.get("__typename")))
        if (
            key
            and representation.keys() == {"__typename", key}
            and isinstance(representation[key], str)
        ):
            return dict(representation)
    shapes = " or ".join(f'{{__typename: "{t}", {k}: String}}' for t, k in ENTITY_KEYS.items())
    raise InvalidInput(f"send each representation as {shapes}", field=path)
