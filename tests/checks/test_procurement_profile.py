"""A purchaser's profile: records decided in (as_of − 3 years, as_of] counted by category, and
the open items — in-force records whose publicity period or listing still runs on as_of."""

from __future__ import annotations

from datetime import date

from rule_cases import ORG, Category, Status, facts

from hub.checks.rules import CategoryCount, OpenItem, procurement_profile
from hub.records.enums import RecordCategory, Severity

AS_OF = date(2026, 11, 22)


def body(category: RecordCategory, decided: str, record_id: int, **extra):
    extra.setdefault("severity", Severity.GENERAL)
    return facts(
        category, decided=date.fromisoformat(decided), subject=ORG, record_id=record_id, **extra
    )


def counts(records) -> dict[RecordCategory, int]:
    return {c.category: c.count for c in procurement_profile(records, AS_OF).counts}


def test_three_year_window_excludes_its_first_day_and_includes_the_check_day():
    records = [
        body(Category.PAYMENT_ARREARS, "2023-11-22", 1),  # exactly 3 years before: out
        body(Category.PAYMENT_ARREARS, "2023-11-23", 2),
        body(Category.PAYMENT_ARREARS, "2026-11-22", 3),
        body(Category.PAYMENT_ARREARS, "2026-11-23", 4),  # after the check day: out
    ]
    profile = procurement_profile(records, AS_OF)
    assert (profile.since, profile.as_of) == (date(2023, 11, 22), AS_OF)
    assert profile.counts == (CategoryCount(Category.PAYMENT_ARREARS, 2),)


def test_counts_are_by_category_in_the_catalogue_order():
    records = [
        body(Category.PPP_DEFAULT, "2025-01-01", 1),
        body(Category.JUDGMENT_DEFAULTER, "2024-06-01", 2),
        body(Category.PPP_DEFAULT, "2026-01-01", 3),
        body(Category.PAYMENT_ARREARS, "2026-02-01", 4),
    ]
    assert procurement_profile(records, AS_OF).counts == (
        CategoryCount(Category.JUDGMENT_DEFAULTER, 1),
        CategoryCount(Category.PAYMENT_ARREARS, 1),
        CategoryCount(Category.PPP_DEFAULT, 2),
    )


def test_closed_records_count_and_withdrawn_ones_do_not():
    records = [
        body(Category.PAYMENT_ARREARS, "2025-01-01", 1, status=Status.REPAIRED),
        body(Category.PAYMENT_ARREARS, "2025-02-01", 2, status=Status.EXPIRED),
        body(Category.PAYMENT_ARREARS, "2025-03-01", 3, status=Status.UNDER_OBJECTION),
        body(Category.PAYMENT_ARREARS, "2025-04-01", 4, status=Status.REVOKED),
        body(Category.PAYMENT_ARREARS, "2025-05-01", 5, status=Status.CORRECTED),
    ]
    assert counts(records) == {Category.PAYMENT_ARREARS: 3}


def test_one_act_reported_twice_counts_once():
    records = [
        body(Category.PAYMENT_ARREARS, "2025-01-01", 1, act_ref="欠款-17"),
        body(Category.PAYMENT_ARREARS, "2025-01-03", 2, act_ref="欠款-17"),
    ]
    assert counts(records) == {Category.PAYMENT_ARREARS: 1}


def test_open_items_are_the_in_force_records_still_published_or_listed():
    listed = body(Category.JUDGMENT_DEFAULTER, "2019-07-09", 1)
    published = body(Category.PAYMENT_ARREARS, "2026-05-01", 2)
    disputed = body(Category.PROCUREMENT_BREACH, "2026-10-01", 3, status=Status.UNDER_OBJECTION)
    # 轻微: published through 2026-11-21.
    lapsed = body(Category.PPP_DEFAULT, "2026-08-21", 4, severity=Severity.MINOR)
    repaired = body(Category.PAYMENT_ARREARS, "2026-06-01", 5, status=Status.REPAIRED)
    delisted = body(Category.JUDGMENT_DEFAULTER, "2020-01-01", 6, until=date(2026, 11, 21))
    future = body(Category.PAYMENT_ARREARS, "2026-12-01", 7)
    records = [listed, published, disputed, lapsed, repaired, delisted, future]
    assert procurement_profile(records, AS_OF).open_items == (
        OpenItem(disputed, date(2027, 10, 1)),
        OpenItem(published, date(2027, 5, 1)),
        OpenItem(listed, None),
    )


def test_open_item_on_its_last_published_day():
    last_day = body(Category.PPP_DEFAULT, "2026-08-22", 1, severity=Severity.MINOR)
    (item,) = procurement_profile([last_day], AS_OF).open_items
    assert item.open_until == AS_OF


def test_no_records_give_an_empty_profile():
    profile = procurement_profile([], AS_OF)
    assert (profile.counts, profile.open_items) == ((), ())
