"""The status a reader sees: the source's own word where it withdrew the record, otherwise
the hub's workflows (an open objection, a repair, the end of publicity or of effect). Pure."""

from __future__ import annotations

from datetime import date

from hub.records.enums import ObjectionKind, RecordStatus


def shown_status(
    status: RecordStatus,
    *,
    objection: ObjectionKind | None,
    repaired_on: date | None,
    publicity_ended_on: date | None,
    effective_until: date | None,
    today: date,
) -> RecordStatus:
    if status is not RecordStatus.ACTIVE:
        return status  # CORRECTED or REVOKED: the source's word wins (政务处分法 Art. 60)
    if objection is not None:
        return RecordStatus.UNDER_OBJECTION
    if repaired_on is not None:
        return RecordStatus.REPAIRED
    ended = publicity_ended_on is not None and publicity_ended_on <= today
    if ended or (effective_until is not None and effective_until < today):
        return RecordStatus.EXPIRED
    return RecordStatus.ACTIVE
