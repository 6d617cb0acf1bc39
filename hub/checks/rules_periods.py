"""How long a record restricts: windows, 政务处分法 Art. 15 (combined periods) and Art. 16 (one
act, one sanction). Pure.

Periods are counted as 民法典 Art. 201–202 count them: the decision day itself is not
counted, and a period of N months ends on the corresponding day of the N-th month (the
last day of that month when it has no such day). That last day is still restricted.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from hub.checks.purposes import AppraisalEffect
from hub.checks.rules_model import PublicityTerms, RecordFacts, Rule, WindowKind
from hub.records.enums import IN_FORCE, RecordCategory, RecordStatus, SanctionKind, Severity

# Art. 15: several 政务处分 of kinds up to 撤职 run together for at most 48 months.
COMBINED_PERIOD_CAP_MONTHS = 48
COMBINABLE_KINDS = frozenset(
    {
        SanctionKind.WARNING,
        SanctionKind.DEMERIT,
        SanctionKind.MAJOR_DEMERIT,
        SanctionKind.DEMOTION,
        SanctionKind.REMOVAL,
    }
)

# A (rule, record, last restricted day) triple; None as last day: no fixed end.
Span = tuple[Rule, RecordFacts, date | None]


def add_months(start: date, months: int) -> date:
    """The corresponding day N months later, or that month's last day (民法典 Art. 202)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def publicity_last_day(record: RecordFacts, terms: PublicityTerms) -> date:
    """Last day of the record's publicity: its maximum term, or earlier if the source ended it."""
    last = add_months(record.decided_at, terms.months_for(record.severity, record.decided_at))
    return _earlier(last, record.effective_until)


def window_last_day(rule: Rule, record: RecordFacts, terms: PublicityTerms) -> date | None:
    """Last day the rule's window runs for the record; None when it has no fixed end."""
    kind = rule.window.kind
    if kind is WindowKind.PERMANENT:
        return None
    if kind is WindowKind.WHILE_ACTIVE:
        return record.effective_until
    if kind is WindowKind.CALENDAR_YEARS:
        # The appraisal table ties effects to years, not to the sanction's period, so a
        # source end date (the period's end) does not shorten them; only the status does.
        return date(record.decided_at.year + rule.effect_span - 1, 12, 31)
    if kind is WindowKind.PUBLICITY:
        return publicity_last_day(record, terms)
    return _earlier(add_months(record.decided_at, rule.window.months), record.effective_until)


def appraisal_effect(
    rule: Rule, record: RecordFacts, as_of: date
) -> tuple[AppraisalEffect | None, tuple[int, ...]]:
    """The rule's effect on the appraisal year of `as_of`, and all the years it covers."""
    if not rule.effects:
        return None, ()
    if rule.window.kind is not WindowKind.CALENDAR_YEARS:
        return rule.effects[0].effect, (as_of.year,)
    first_year = record.decided_at.year
    for step in rule.effects:
        years = range(first_year, first_year + (step.years or 0))
        if as_of.year in years:
            return step.effect, tuple(years)
        first_year = years.stop
    return None, ()


def cap_combined_periods(spans: list[Span]) -> list[Span]:
    """政务处分法 Art. 15, read conservatively (verify).

    Art. 15 lets several sanctions of one kind (up to 撤职) run for between one period and
    the sum of the periods, never more than 48 months. The hub neither sums nor lengthens
    anything: each 政务处分 keeps its own Art. 8 end, but records whose periods overlap form
    a group (sorted by decision date, a record joins when it is decided on or before the
    group's last day so far), and no record of a group restricts beyond 48 months from the
    group's earliest decision. So the person is restricted until the latest own end in the
    group, capped at that 48-month mark. Art. 15 speaks of one decision on several
    violations; applying its cap to separately decided sanctions in force together follows
    the older 行政机关公务员处分条例 Art. 10, hence (verify).
    """
    own_ends: dict[RecordFacts, date] = {}
    for rule, record, last in spans:
        if last is not None and _combinable(rule, record):
            own_ends[record] = max(own_ends.get(record, last), last)
    caps = _group_caps(own_ends)
    return [
        (rule, record, min(last, caps[record]) if last and record in caps else last)
        for rule, record, last in spans
    ]


def _group_caps(own_ends: dict[RecordFacts, date]) -> dict[RecordFacts, date]:
    caps: dict[RecordFacts, date] = {}
    group_end: date | None = None
    cap = date.min
    for record, own_end in sorted(own_ends.items(), key=lambda item: (item[0].decided_at, item[1])):
        if group_end is None or record.decided_at > group_end:
            cap = add_months(record.decided_at, COMBINED_PERIOD_CAP_MONTHS)
            group_end = own_end
        # The group reaches as far as its capped ends do; a record decided after the cap
        # starts a group of its own rather than being swallowed by this one.
        group_end = min(max(group_end, own_end), cap)
        caps[record] = cap
    return caps


def _combinable(rule: Rule, record: RecordFacts) -> bool:
    return (
        rule.window.kind is WindowKind.MONTHS
        and record.category is RecordCategory.GOVERNMENT_SANCTION
        and record.sanction_kind in COMBINABLE_KINDS
    )


def same_act_once(
    records: Iterable[RecordFacts],
) -> tuple[list[RecordFacts], dict[RecordFacts, tuple[int, ...]]]:
    """政务处分法 Art. 16: an act is not sanctioned twice, so in-force records of one category
    naming the same act (`act_ref`) count once: the heaviest sanction is kept. Returns the
    records kept and, for each kept record, the ids of the ones set aside."""
    kept: list[RecordFacts] = []
    groups: dict[tuple[str, RecordCategory, str], list[RecordFacts]] = {}
    for record in records:
        if record.act_ref is None or record.status not in IN_FORCE:
            kept.append(record)
        else:
            key = (record.subject_type.value, record.category, record.act_ref)
            groups.setdefault(key, []).append(record)
    set_aside: dict[RecordFacts, tuple[int, ...]] = {}
    for group in groups.values():
        heaviest = max(group, key=_heaviness)
        kept.append(heaviest)
        others = sorted(r.id for r in group if r is not heaviest)
        if others:
            set_aside[heaviest] = tuple(others)
    return kept, set_aside


_KIND_ORDER = {kind: position for position, kind in enumerate(SanctionKind)}
_SEVERITY_ORDER = {severity: position for position, severity in enumerate(Severity)}


def _heaviness(record: RecordFacts) -> tuple[int, bool, date, date, int, int, str]:
    # Within each category the enum declares kinds lightest first (Art. 7; 党纪条例 Art. 8).
    # Ties go to the undisputed, then the later (longer-running) record; the remaining
    # fields only make the choice independent of the order the records came in.
    return (
        _KIND_ORDER[record.sanction_kind] if record.sanction_kind else -1,
        record.status is RecordStatus.ACTIVE,
        record.decided_at,
        record.effective_until or date.max,
        _SEVERITY_ORDER[record.severity] if record.severity else -1,
        -record.id,
        record.subject_type.value,
    )


def _earlier(last: date, ended_by_source: date | None) -> date:
    return last if ended_by_source is None else min(last, ended_by_source)
