"""What some purposes add to a check: the year's appraisal effect, a purchaser's profile."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.checks.purposes import AppraisalEffect
from hub.checks.rules import AppraisalOutcome, ProcurementProfile
from hub.records.enums import RecordCategory
from hub.records.models import RecordFields as RecordRow
from schema.types import CreditRecord


@strawberry.type(description="年度考核: the heaviest effect of the records on this year's grade.")
class AppraisalResult:
    year: int
    effect: AppraisalEffect | None = strawberry.field(
        description="NOT_EXCELLENT 不得确定为优秀, NO_GRADE 不确定等次, INCOMPETENT 不称职; "
        "null when no record affects the year."
    )
    effect_label: str | None
    disputed: bool = strawberry.field(
        description="The effect rests only on records under objection: an officer decides."
    )


@strawberry.type
class CategoryCount:
    category: RecordCategory
    category_label: str
    count: int


@strawberry.type(description="A record whose restriction or publicity still runs.")
class OpenItem:
    record: CreditRecord
    open_until: date | None


@strawberry.type(description="采购人信用: a purchaser's records over the last three years.")
class PurchaserProfile:
    since: date = strawberry.field(description="Exclusive: records decided after this day.")
    as_of: date
    counts: list[CategoryCount]
    open_items: list[OpenItem] = strawberry.field(
        description="A current 失信被执行人 listing first, then the newest."
    )
    listed_as_defaulter: bool = strawberry.field(
        description="The purchaser is on the 失信被执行人 list now: a matter for review "
        "(若干规定 Art. 8: its superior is notified; 发改财金〔2023〕1103号), not a bar."
    )


def appraisal_result(outcome: AppraisalOutcome | None) -> AppraisalResult | None:
    if outcome is None:
        return None
    return AppraisalResult(
        year=outcome.year,
        effect=outcome.effect,
        effect_label=outcome.effect.label if outcome.effect else None,
        disputed=outcome.disputed,
    )


def purchaser_profile(
    profile: ProcurementProfile | None, records: dict[int, RecordRow]
) -> PurchaserProfile | None:
    if profile is None:
        return None
    return PurchaserProfile(
        since=profile.since,
        as_of=profile.as_of,
        counts=[
            CategoryCount(category=c.category, category_label=c.category.label, count=c.count)
            for c in profile.counts
        ],
        open_items=[
            OpenItem(record=CreditRecord(row=records[item.record.id]), open_until=item.open_until)
            for item in profile.open_items
        ],
        listed_as_defaulter=profile.listed_as_defaulter,
    )
