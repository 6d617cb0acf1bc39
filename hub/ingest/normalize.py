"""From a connector's record (the hub's vocabulary, values possibly raw text) to a
RecordDraft: dates in the forms agencies write, enums from their Chinese labels. Pure.

Identifier checks are left to `validate_draft`, the one validation every path shares; masked
ID numbers (as the courts publish them) are left for identity resolution (identity.py)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.records.drafts import Problem, RecordDraft, SubjectDraft, Validation
from hub.records.enums import LabelledEnum, RecordCategory, RecordStatus, SanctionKind, Severity
from vocabulary.dates import EXAMPLES, NotADate
from vocabulary.dates import parse_date as vocabulary_date

MASK = "*"


@dataclass(frozen=True)
class Normalised:
    draft: RecordDraft
    # The subject's ID number as published with digits hidden: the engine must find the one
    # known person it can only be, or quarantine the row.
    masked_id_number: str | None = None
    # validate_draft's outcome, where the draft is final when read (not masked): the reader
    # process validates as it reads. A draft identity resolution changes is a new Normalised.
    validated: Validation | None = None


def parse_date(value: object, field: str) -> date | Problem:
    try:
        day = vocabulary_date(value)
    except NotADate as exc:
        return Problem(field, str(exc))
    return day if day is not None else Problem(field, f"not a date: '' (use {EXAMPLES})")


def parse_label(enum: type[LabelledEnum], value: object, field: str) -> Any:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    member = enum.from_label(text) or enum.from_label(text.upper())
    if member is None:
        known = "、".join(f"{m.label}({m.value})" for m in enum)
        return Problem(field, f"unknown {enum.__name__} {text!r}; known: {known}")
    return member


def normalise(record: Mapping[str, Any]) -> Normalised | list[Problem]:
    problems: list[Problem] = []

    def need(key: str) -> Any:
        value = record.get(key)
        if value in (None, ""):
            problems.append(Problem(key, "missing"))
        return value

    def enum_or_none(enum: type[LabelledEnum], key: str) -> Any:
        if record.get(key) in (None, ""):
            return None
        return _keep(parse_label(enum, record[key], key), problems)

    category = _keep(parse_label(RecordCategory, need("category"), "category"), problems)
    decided = _keep(parse_date(need("decided_at"), "decided_at"), problems)
    until = (
        _keep(parse_date(record["effective_until"], "effective_until"), problems)
        if record.get("effective_until") not in (None, "")
        else None
    )
    severity = enum_or_none(Severity, "severity") or Severity.GENERAL
    kind = enum_or_none(SanctionKind, "sanction_kind")
    status = enum_or_none(RecordStatus, "status")
    source_ref = str(need("source_ref") or "").strip()
    id_number = _text(record.get("subject_id_number"))
    detail = record.get("detail")
    if detail is not None and not isinstance(detail, dict):
        problems.append(Problem("detail", "must be a JSON object"))
    if problems:
        return problems
    masked = id_number if id_number and MASK in id_number else None
    draft = RecordDraft(
        source_ref=source_ref,
        category=category,
        severity=severity,
        subject=SubjectDraft(
            id_number=None if masked else id_number,
            uscc=_text(record.get("subject_uscc")),
            name=_text(record.get("subject_name")),
        ),
        decided_at=decided,
        summary=_text(record.get("summary")) or category.label,
        sanction_kind=kind,
        legal_basis=_text(record.get("legal_basis")),
        status=status,
        detail=detail,
        effective_until=until,
    )
    return Normalised(draft, masked)


def _keep(value: Any, problems: list[Problem]) -> Any:
    if isinstance(value, Problem):
        problems.append(value)
        return None
    return value


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None
