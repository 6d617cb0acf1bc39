"""The objection workflow's decisions, pure: which step may follow which, when an objection
is overdue, and what the record shows while objections are open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.records.enums import OBJECTION_OPEN, ObjectionKind, ObjectionState

ACKNOWLEDGEABLE = frozenset({ObjectionState.OPEN})
RESOLVABLE = frozenset({ObjectionState.OPEN, ObjectionState.ACKNOWLEDGED})


@dataclass(frozen=True)
class OpenObjection:
    kind: ObjectionKind
    state: ObjectionState
    examine_by: date
    correct_by: date | None

    @classmethod
    def of(cls, row: OpenObjection | Any) -> OpenObjection:
        """The values of a stored objection (or anything shaped like one)."""
        return cls(row.kind, row.state, row.examine_by, row.correct_by)


def due(objection: OpenObjection) -> date:
    """The deadline that runs now: to examine it, or, once upheld, to correct the record."""
    if objection.state is ObjectionState.UPHELD and objection.correct_by is not None:
        return objection.correct_by
    return objection.examine_by


def overdue(objection: OpenObjection, today: date) -> bool:
    return objection.state in OBJECTION_OPEN and due(objection) < today


def record_dispute(open_ones: Iterable[OpenObjection]) -> tuple[ObjectionKind | None, date | None]:
    """What a record shows while objections are open: a dispute of its data outweighs a
    pending review of the sanction (only the first suspends its use, 政务处分法 Art. 56), and
    the earliest running deadline."""
    current = [o for o in open_ones if o.state in OBJECTION_OPEN]
    if not current:
        return None, None
    kinds = {o.kind for o in current}
    kind = ObjectionKind.DATA_ERROR if ObjectionKind.DATA_ERROR in kinds else next(iter(kinds))
    return kind, min(due(o) for o in current)
