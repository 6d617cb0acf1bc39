"""A purchaser's credit profile for PROCUREMENT checks (RULES.md §5). Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from hub.checks.rules_model import (
    CategoryCount,
    ListingTerms,
    OpenItem,
    ProcurementProfile,
    PublicityTerms,
    RecordFacts,
)
from hub.checks.rules_periods import add_months, measure_last_day, same_act_once
from hub.records.enums import RecordCategory, RecordStatus

PROFILE_MONTHS = 36


def procurement_profile(
    records: Iterable[RecordFacts], as_of: date, publicity: PublicityTerms, listing: ListingTerms
) -> ProcurementProfile:
    """Counts by category of the records decided in (as_of − 3 years, as_of], and the open
    items: records whose publicity or listing still runs on `as_of` (a repair ends it).

    Records the source corrected or revoked (政务处分法 Art. 60) never happened, so they are
    not counted; repaired and expired records did happen and are."""
    kept, _ = same_act_once(records)
    since = add_months(as_of, -PROFILE_MONTHS)
    standing = [r for r in kept if r.status is RecordStatus.ACTIVE and r.decided_at <= as_of]
    counts = Counter(r.category for r in standing if since < r.decided_at)
    open_items = [
        OpenItem(record, until)
        for record in standing
        for until in [measure_last_day(record, publicity, listing)]
        if until is None or as_of <= until
    ]
    # A current listing as 失信被执行人 first, then the newest.
    open_items.sort(
        key=lambda item: (
            item.record.category is not RecordCategory.JUDGMENT_DEFAULTER,
            -item.record.decided_at.toordinal(),
            item.record.id,
        )
    )
    return ProcurementProfile(
        since=since,
        as_of=as_of,
        counts=tuple(CategoryCount(c, counts[c]) for c in RecordCategory if counts[c]),
        open_items=tuple(open_items),
    )
