"""A purchaser's credit profile for PROCUREMENT checks (RULES.md §5). Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from hub.checks.rules_model import (
    DEFAULT_PUBLICITY,
    CategoryCount,
    OpenItem,
    ProcurementProfile,
    PublicityTerms,
    RecordFacts,
)
from hub.checks.rules_periods import add_months, publicity_last_day, same_act_once
from hub.records.enums import IN_FORCE, RecordCategory, RecordStatus

PROFILE_MONTHS = 36

# A court deletes a 失信被执行人 entry itself (若干规定 Art. 10): the listing, not a publicity
# term, says how long it stays open.
LISTED_CATEGORIES = frozenset({RecordCategory.JUDGMENT_DEFAULTER})

# Withdrawn by their source as wrong (政务处分法 Art. 60): they never happened, so they are
# not counted. Repaired and expired records did happen and are.
WITHDRAWN = frozenset({RecordStatus.REVOKED, RecordStatus.CORRECTED})


def procurement_profile(
    records: Iterable[RecordFacts], as_of: date, publicity: PublicityTerms = DEFAULT_PUBLICITY
) -> ProcurementProfile:
    """Counts by category of the records decided in (as_of − 3 years, as_of], and the open
    items: in-force records whose publicity period or listing still runs on `as_of`."""
    kept, _ = same_act_once(records)
    since = add_months(as_of, -PROFILE_MONTHS)
    counts = Counter(
        r.category for r in kept if r.status not in WITHDRAWN and since < r.decided_at <= as_of
    )
    open_items = [
        OpenItem(record, until)
        for record in kept
        if record.status in IN_FORCE and record.decided_at <= as_of
        for until in [open_until(record, publicity)]
        if until is None or as_of <= until
    ]
    open_items.sort(key=lambda item: (-item.record.decided_at.toordinal(), item.record.id))
    return ProcurementProfile(
        since=since,
        as_of=as_of,
        counts=tuple(CategoryCount(c, counts[c]) for c in RecordCategory if counts[c]),
        open_items=tuple(open_items),
    )


def open_until(record: RecordFacts, publicity: PublicityTerms) -> date | None:
    if record.category in LISTED_CATEGORIES:
        return record.effective_until
    return publicity_last_day(record, publicity)
