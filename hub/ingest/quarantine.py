"""What a quarantined row holds. The source's row and the record drafted from it may carry a
person's ID number and name, so they are kept as persons are: encrypted (DESIGN §4). Kept in
clear, for listings, only what is not personal: the source reference, as records show it, and
the subject masked (`张* 110101********123X`) whether it is a person or a body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.ingest.models import QuarantinedRow
from hub.subjects.identifiers import mask_id_number, mask_name
from hub.subjects.pii import PiiCipher

# Shorter text in an identifier field is a typing error: hidden whole, not in part.
_SHORTEST_MASKED_IN_PART = 15


@dataclass(frozen=True)
class Content:
    raw: dict[str, Any]
    record: dict[str, Any] | None


def content_of(raw: Mapping[str, Any], record: Mapping[str, Any] | None) -> Content:
    return Content(_jsonable(raw), _jsonable(record) if record is not None else None)


def fingerprint(pii: PiiCipher, location: str, content: Content) -> str:
    """Where a row came from and what it held, as a keyed hash: two readings of one file give
    the same fingerprint, and the hash reveals nothing of the row (the key is the PII key)."""
    canonical = json.dumps(
        {"at": location, "raw": content.raw, "record": content.record},
        ensure_ascii=False,
        sort_keys=True,
    )
    return pii.lookup_hash(canonical, purpose="quarantine")


def sealed(pii: PiiCipher, content: Content) -> dict[str, Any]:
    """The columns of a quarantined row that store `content`, by attribute name."""
    text = json.dumps({"raw": content.raw, "record": content.record}, ensure_ascii=False)
    record = content.record or {}
    return {
        "payload": pii.encrypt(text),
        "source_ref": _text(record.get("source_ref")),
        "subject": masked_subject(record),
        "clear_raw": None,
        "clear_record": None,
    }


def unsealed(pii: PiiCipher, row: QuarantinedRow) -> Content:
    if row.payload is None:  # quarantined before revision 0005 and not sealed since
        return Content(row.clear_raw or {}, row.clear_record)
    stored = json.loads(pii.decrypt(row.payload))
    return Content(stored["raw"], stored["record"])


def masked_subject(record: Mapping[str, Any]) -> str | None:
    name = _text(record.get("subject_name"))
    parts = [mask_name(name)] if name else []
    for key in ("subject_id_number", "subject_uscc"):
        if identifier := _text(record.get(key)):
            parts.append(_masked_identifier(identifier))
    return " ".join(parts) or None


def _masked_identifier(text: str) -> str:
    if len(text) < _SHORTEST_MASKED_IN_PART:
        return "*" * len(text)
    return mask_id_number(text)


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    # Spreadsheet cells arrive as datetimes and decimals: keep them, as text.
    return json.loads(json.dumps(dict(value), ensure_ascii=False, default=str))
