"""From a stored record to the facts the rule engine judges (RecordFacts)."""

from __future__ import annotations

from typing import Any

from hub.checks.rules import RecordFacts
from hub.records.enums import RecordCategory
from hub.records.models import RecordFields

# 若干规定 Art. 1: the words of each ground as the public listing (失信被执行人行为具体情形)
# prints them. Ground (一) first: its text also mentions obligations.
_GROUND_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("有履行能力而拒不履行",)),
    (2, ("妨碍", "抗拒执行")),
    (3, ("虚假诉讼", "虚假仲裁", "隐匿", "转移财产", "规避执行")),
    (4, ("财产报告",)),
    (5, ("限制消费",)),
    (6, ("执行和解", "和解协议")),
)


def listing_ground(situation: str | None) -> int | None:
    """The ground of a 失信被执行人 listing (若干规定 Art. 1 items 1–6) from the listing's
    wording; None when it says none of them, so the listing stays until deleted."""
    if not situation:
        return None
    for ground, words in _GROUND_WORDS:
        if any(word in situation for word in words):
            return ground
    return None


def facts_of(record: RecordFields) -> RecordFacts:
    """The source's content and status, and the hub's own state (an open objection, a
    repair) from the columns the lifecycle keeps."""
    return RecordFacts(
        id=record.id,
        subject_type=record.subject_type,
        category=record.category,
        sanction_kind=record.sanction_kind,
        status=record.status,
        decided_at=record.decided_at,
        effective_until=record.effective_until,
        severity=record.severity,
        act_ref=_detail(record, "actRef"),
        objection=record.objection_kind,
        objection_due=record.objection_due,
        repaired_on=record.repaired_on,
        listing_ground=(
            listing_ground(_detail(record, "disruptTypeName"))
            if record.category is RecordCategory.JUDGMENT_DEFAULTER
            else None
        ),
    )


def _detail(record: RecordFields, key: str) -> Any:
    # Sources name the act a sanction punishes in detail.actRef, so that the same act
    # sanctioned by 监察机关 and 任免机关 counts once (政务处分法 Art. 16).
    value = record.detail.get(key) if isinstance(record.detail, dict) else None
    return str(value) if value else None
