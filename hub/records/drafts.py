"""A record as submitted (push, file, API) and its validation: pure, no I/O.

Every transport turns its input into a `RecordDraft`; `validate_draft` either returns a
`ValidRecord` or the list of problems, each naming the field and how to fix it."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from hub.errors import InvalidIdentifier
from hub.records.enums import (
    KIND_REQUIRED,
    KINDS_BY_CATEGORY,
    SUBMITTABLE_STATUSES,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)
from hub.subjects.identifiers import IdNumber, Uscc, parse_id_number, parse_uscc

MAX_SUMMARY = 4000
# A person's name (the longest Chinese names, minority names transliterated with ·, run to
# some thirty characters) and a body's full name, as its registration gives it.
MAX_PERSON_NAME = 50
MAX_ORGANIZATION_NAME = 200
MAX_SOURCE_REF = 128
MAX_DETAIL_BYTES = 16_384


@dataclass(frozen=True)
class SubjectDraft:
    id_number: str | None = None
    uscc: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class RecordDraft:
    source_ref: str
    category: RecordCategory
    severity: Severity
    subject: SubjectDraft
    decided_at: date
    summary: str
    sanction_kind: SanctionKind | None = None
    legal_basis: str | None = None
    status: RecordStatus | None = None
    detail: dict[str, Any] | None = None
    effective_until: date | None = None
    # The subject this sourceRef named before: with status CORRECTED, the source withdraws the
    # record from that subject (a record never changes subject silently).
    previous_subject: SubjectDraft | None = None


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str


@dataclass(frozen=True)
class ValidRecord:
    source_ref: str
    category: RecordCategory
    severity: Severity
    subject_type: SubjectType
    person_id_number: IdNumber | None
    organization: Uscc | None
    subject_name: str | None
    decided_at: date
    summary: str
    sanction_kind: SanctionKind | None
    legal_basis: str | None
    status: RecordStatus
    detail: dict[str, Any] | None
    effective_until: date | None
    warnings: tuple[str, ...] = field(default=())
    previous: IdNumber | Uscc | None = None  # the subject a correction moves the record from

    def content(self, subject_key: str) -> dict[str, Any]:
        """What the record says, keyed by the subject's stable key (never a clear ID number)."""
        return {
            "subject": subject_key,
            "category": self.category.value,
            "sanctionKind": self.sanction_kind.value if self.sanction_kind else None,
            "severity": self.severity.value,
            "decidedAt": self.decided_at.isoformat(),
            "effectiveUntil": self.effective_until.isoformat() if self.effective_until else None,
            "legalBasis": self.legal_basis,
            "summary": self.summary,
            "detail": self.detail,
            "status": self.status.value,
        }


# What validate_draft says of a draft: the record, or every problem found.
Validation = ValidRecord | list[Problem]


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of the content's canonical JSON: keys sorted, no spaces, UTF-8. Every stored
    hash was taken over json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    and a record whose hash changed would read as changed, so that form is kept to the
    byte. orjson writes the same bytes for strings, integers, booleans, null, lists and
    objects with string keys: with the check for them, 2.0 µs a record instead of 6.4 (a
    file's every row is hashed). Anything else — a float, which the two spell differently
    (1e-05 and 1e-5), an integer beyond 64 bits — is written by json.dumps as before."""
    if _plain_json(content):
        with contextlib.suppress(orjson.JSONEncodeError):
            return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


_PLAIN_SCALARS = frozenset((str, int, bool, type(None)))


def _plain_json(value: Any) -> bool:
    """Only exact str, int, bool and None, in exact dicts with str keys and lists."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is dict:
            for key, member in item.items():
                if type(key) is not str:
                    return False
                if type(member) not in _PLAIN_SCALARS:
                    pending.append(member)
        elif kind is list:
            pending.extend(item)
        elif kind not in _PLAIN_SCALARS:
            return False
    return True


def validate_draft(draft: RecordDraft, *, today: date) -> Validation:
    problems: list[Problem] = []
    source_ref = draft.source_ref.strip()
    if not source_ref:
        problems.append(Problem("sourceRef", "must not be empty: give the 文号 or 案号"))
    elif len(source_ref) > MAX_SOURCE_REF:
        problems.append(Problem("sourceRef", f"longer than {MAX_SOURCE_REF} characters"))

    summary = draft.summary.strip()
    if not summary:
        problems.append(Problem("summary", "must not be empty"))
    elif len(summary) > MAX_SUMMARY:
        problems.append(Problem("summary", f"longer than {MAX_SUMMARY} characters"))

    problems.extend(_kind_problems(draft.category, draft.sanction_kind))

    if draft.decided_at > today:
        problems.append(Problem("decidedAt", f"{draft.decided_at} is in the future"))
    if draft.effective_until is not None and draft.effective_until < draft.decided_at:
        problems.append(Problem("effectiveUntil", "is before decidedAt"))

    status = draft.status or RecordStatus.ACTIVE
    if status not in SUBMITTABLE_STATUSES:
        allowed = ", ".join(sorted(s.value for s in SUBMITTABLE_STATUSES))
        problems.append(
            Problem("status", f"a source may set only {allowed}; {status.value} is set by the hub")
        )

    if draft.detail is not None:
        if not isinstance(draft.detail, dict):
            problems.append(Problem("detail", "must be a JSON object"))
        else:
            _check_detail(draft.detail, problems)

    subject = _validate_subject(draft.subject, today, problems)
    _check_name(draft.subject, problems)
    previous = _previous_subject(draft, status, today, problems)
    if problems or subject is None:
        return problems
    subject_type, id_number, uscc, warnings = subject
    return ValidRecord(
        source_ref=source_ref,
        category=draft.category,
        severity=draft.severity,
        subject_type=subject_type,
        person_id_number=id_number,
        organization=uscc,
        subject_name=(draft.subject.name or "").strip() or None,
        decided_at=draft.decided_at,
        summary=summary,
        sanction_kind=draft.sanction_kind,
        legal_basis=(draft.legal_basis or "").strip() or None,
        status=status,
        detail=draft.detail,
        effective_until=draft.effective_until,
        warnings=warnings,
        previous=previous,
    )


def name_limit(subject_is_person: bool) -> int:
    return MAX_PERSON_NAME if subject_is_person else MAX_ORGANIZATION_NAME


def _check_detail(detail: dict[str, Any], problems: list[Problem]) -> None:
    # Encoded as it will be stored (hub.db.engine): what it cannot encode (an integer beyond
    # 64 bits, a lone surrogate) is refused here, by its field, rather than failing the write.
    try:
        encoded = orjson.dumps(detail)
    except TypeError as exc:
        problems.append(Problem("detail", f"is not storable JSON: {exc}"))
        return
    if len(encoded) > MAX_DETAIL_BYTES:
        problems.append(Problem("detail", f"larger than {MAX_DETAIL_BYTES} bytes"))


def _check_name(subject: SubjectDraft, problems: list[Problem]) -> None:
    limit = name_limit(bool(subject.id_number))
    if subject.name and len(subject.name.strip()) > limit:
        problems.append(Problem("subject.name", f"longer than {limit} characters"))


def _previous_subject(
    draft: RecordDraft, status: RecordStatus, today: date, problems: list[Problem]
) -> IdNumber | Uscc | None:
    if draft.previous_subject is None:
        return None
    if status is not RecordStatus.CORRECTED:
        problems.append(
            Problem(
                "previousSubject",
                "moves a record to another subject only with status CORRECTED (the source "
                "withdraws it from the subject it named before)",
            )
        )
        return None
    found = _validate_subject(draft.previous_subject, today, problems, "previousSubject")
    if found is None:
        return None
    _type, id_number, uscc, _warnings = found
    return id_number or uscc


def _kind_problems(category: RecordCategory, kind: SanctionKind | None) -> list[Problem]:
    allowed = KINDS_BY_CATEGORY.get(category)
    if kind is None:
        if category in KIND_REQUIRED:
            names = ", ".join(sorted(k.value for k in allowed or ()))
            return [Problem("sanctionKind", f"required for {category.value}: one of {names}")]
        return []
    if allowed is None or kind not in allowed:
        return [
            Problem(
                "sanctionKind",
                f"{kind.value} ({kind.label}) is not a sanction of category {category.value}",
            )
        ]
    return []


def _validate_subject(
    subject: SubjectDraft, today: date, problems: list[Problem], where: str = "subject"
) -> tuple[SubjectType, IdNumber | None, Uscc | None, tuple[str, ...]] | None:
    has_id = bool(subject.id_number and subject.id_number.strip())
    has_uscc = bool(subject.uscc and subject.uscc.strip())
    if has_id == has_uscc:
        problems.append(
            Problem(where, "give exactly one of idNumber (a person) or uscc (an organization)")
        )
        return None
    try:
        if has_id:
            return (
                SubjectType.PERSON,
                parse_id_number(subject.id_number or "", field=f"{where}.idNumber", today=today),
                None,
                (),
            )
        uscc = parse_uscc(subject.uscc or "", field=f"{where}.uscc")
        warnings = (f"{where}.uscc: {uscc.warning}",) if uscc.warning else ()
        return SubjectType.ORGANIZATION, None, uscc, warnings
    except InvalidIdentifier as exc:
        problems.append(Problem(exc.field or where, exc.message))
        return None
