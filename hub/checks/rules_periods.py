"""How long a record restricts: windows, decision-set periods, the end of measures, and
政务处分法 Art. 16 (one act, one sanction). Pure.

Periods are counted as 民法典 Art. 201–202 count them: the decision day itself is not
counted, and a period of N months ends on the corresponding day of the N-th month (the
last day of that month when it has no such day). That last day is still restricted.

Each decision keeps its own period from its own 作出之日 (政务处分法 Art. 8): separately
decided sanctions are never chained or capped together (Art. 13(一) makes re-offending during
a period heavier, never shorter). Art. 15's 48-month cap governs one decision that combines
sanctions: the source states the period such a decision set as the record's end date, and
the rule's `max_months` bounds how far that end is believed.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from hub.checks.purposes import AppraisalEffect
from hub.checks.rules_model import (
    Basis,
    ListingTerms,
    PublicityTerms,
    RecordFacts,
    Rule,
    WindowKind,
)
from hub.records.enums import RecordCategory, RecordStatus, SanctionKind, Severity

# A court deletes a 失信被执行人 entry itself (若干规定 Art. 10): the listing, not a publicity
# term, says how long it stays open.
LISTED_CATEGORIES = frozenset({RecordCategory.JUDGMENT_DEFAULTER})


def add_months(start: date, months: int) -> date:
    """The corresponding day N months later, or that month's last day (民法典 Art. 202)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def publicity_last_day(record: RecordFacts, terms: PublicityTerms) -> date:
    """Last day of the record's publicity: its maximum term, or earlier if the source ended it."""
    last = add_months(record.decided_at, terms.months_for(record))
    return _earlier(last, record.effective_until)


def listing_last_day(record: RecordFacts, listing: ListingTerms) -> date | None:
    """Last listed day: the day the source ended it, else two years from listing on grounds
    (二)–(六), else none yet (ground (一), or a ground the source did not say)."""
    if record.effective_until is not None:
        return record.effective_until
    if record.listing_ground in listing.grounds:
        return add_months(record.decided_at, listing.months)
    return None


def window_last_day(
    rule: Rule, record: RecordFacts, terms: PublicityTerms, listing: ListingTerms
) -> date | None:
    """Last day the rule restricts the record; None when it has no fixed end."""
    last = _window_last_day(rule, record, terms, listing)
    if rule.basis is Basis.MEASURE:
        last = _earlier_or_none(last, measure_last_day(record, terms, listing))
    return last


def measure_last_day(
    record: RecordFacts, terms: PublicityTerms, listing: ListingTerms
) -> date | None:
    """Last day a 失信惩戒 measure may rest on the record: publicity ends by itself at its
    maximum (listings: when the court deletes them), and a repair ends it the day before it
    was approved (令2025年第36号 Art. 3)."""
    if record.category in LISTED_CATEGORIES:
        last = listing_last_day(record, listing)
    else:
        last = publicity_last_day(record, terms)
    if record.repaired_on is not None:
        last = _earlier_or_none(last, record.repaired_on - timedelta(days=1))
    return last


def _window_last_day(
    rule: Rule, record: RecordFacts, terms: PublicityTerms, listing: ListingTerms
) -> date | None:
    kind = rule.window.kind
    if kind is WindowKind.PERMANENT:
        return None
    if kind is WindowKind.WHILE_ACTIVE:
        if record.category in LISTED_CATEGORIES:
            return listing_last_day(record, listing)
        return record.effective_until
    if kind is WindowKind.CALENDAR_YEARS:
        # The appraisal table ties effects to years, not to the sanction's period, so a
        # source end date (the period's end) does not shorten them; only the status does.
        return date(record.decided_at.year + rule.effect_span - 1, 12, 31)
    if kind is WindowKind.PUBLICITY:
        return publicity_last_day(record, terms)
    return add_months(period_last_day(rule, record), rule.window.after_months)


def period_last_day(rule: Rule, record: RecordFacts) -> date:
    """The period the decision set (the source's end date) wins over the default, earlier or
    later, but is never believed beyond the rule's `max_months`."""
    window = rule.window
    if record.effective_until is None:
        return add_months(record.decided_at, window.months)
    longest = add_months(record.decided_at, max(window.max_months, window.months))
    return min(record.effective_until, longest)


def appraisal_effect(
    rule: Rule, record: RecordFacts, year: int
) -> tuple[AppraisalEffect | None, tuple[int, ...]]:
    """The rule's effect on appraisal year `year`, and all the years that effect covers."""
    if not rule.effects:
        return None, ()
    if rule.window.kind is not WindowKind.CALENDAR_YEARS:
        return rule.effects[0].effect, (year,)
    first_year = record.decided_at.year
    for step in rule.effects:
        years = range(first_year, first_year + (step.years or 0))
        if year in years:
            return step.effect, tuple(years)
        first_year = years.stop
    return None, ()


def same_act_once(
    records: Iterable[RecordFacts], rank_of: Mapping[SanctionKind, int] | None = None
) -> tuple[list[RecordFacts], dict[RecordFacts, tuple[int, ...]]]:
    """政务处分法 Art. 16: an act is not sanctioned twice, so in-force records of one category
    naming the same act (`act_ref`) count once. The undisputed record is kept over one whose
    data is under objection (a dispute must not hide a sanction that stands); among equals
    the heaviest by `rank_of` (RuleSet.rank_of). Returns the records kept and, for each kept
    record, the ids of the ones set aside."""
    kept: list[RecordFacts] = []
    groups: dict[tuple[str, RecordCategory, str], list[RecordFacts]] = {}
    for record in records:
        if record.act_ref is None or record.status is not RecordStatus.ACTIVE:
            kept.append(record)
        else:
            key = (record.subject_type.value, record.category, record.act_ref)
            groups.setdefault(key, []).append(record)
    order = rank_of or {}
    set_aside: dict[RecordFacts, tuple[int, ...]] = {}
    for group in groups.values():
        chosen = max(group, key=lambda record: _preference(record, order))
        kept.append(chosen)
        others = sorted(r.id for r in group if r is not chosen)
        if others:
            set_aside[chosen] = tuple(others)
    return kept, set_aside


_SEVERITY_ORDER = {severity: position for position, severity in enumerate(Severity)}


def _preference(
    record: RecordFacts, order: Mapping[SanctionKind, int]
) -> tuple[bool, int, date, date, int, int, str]:
    # Undisputed first, then the heavier kind, then the later (longer-running) record; the
    # remaining fields only make the choice independent of the order the records came in.
    return (
        not record.disputed,
        order.get(record.sanction_kind, -1) if record.sanction_kind else -1,
        record.decided_at,
        record.effective_until or date.max,
        _SEVERITY_ORDER[record.severity] if record.severity else -1,
        -record.id,
        record.subject_type.value,
    )


def _earlier(last: date, ended_by_source: date | None) -> date:
    return last if ended_by_source is None else min(last, ended_by_source)


def _earlier_or_none(first: date | None, second: date | None) -> date | None:
    if first is None:
        return second
    if second is None:
        return first
    return min(first, second)
