"""A purchaser's profile: records decided in (as_of − 3 years, as_of] counted by category, and
the open items — standing records whose publicity or listing still runs on as_of, a current
失信被执行人 listing first."""

from __future__ import annotations

from datetime import date

from rule_cases import ORG, RULESET, Category, Status, facts

from hub.checks.rules import CategoryCount, OpenItem, procurement_profile
from hub.records.enums import ObjectionKind, RecordCategory, Severity

AS_OF = date(2026, 11, 22)


def body(category: RecordCategory, decided: str, record_id: int, **extra):
    extra.setdefault("severity", Severity.GENERAL)
    return facts(
        category, decided=date.fromisoformat(decided), subject=ORG, record_id=record_id, **extra
    )


def profile_of(records, as_of: date = AS_OF):
    return procurement_profile(records, as_of, RULESET.publicity, RULESET.listing)


def counts(records) -> dict[RecordCategory, int]:
    return {c.category: c.count for c in profile_of(records).counts}


def test_three_year_window_excludes_its_first_day_and_includes_the_check_day():
    records = [
        body(Category.PAYMENT_ARREARS, "2023-11-22", 1),  # exactly 3 years before: out
        body(Category.PAYMENT_ARREARS, "2023-11-23", 2),
        body(Category.PAYMENT_ARREARS, "2026-11-22", 3),
        body(Category.PAYMENT_ARREARS, "2026-11-23", 4),  # after the check day: out
    ]
    profile = profile_of(records)
    assert (profile.since, profile.as_of) == (date(2023, 11, 22), AS_OF)
    assert profile.counts == (CategoryCount(Category.PAYMENT_ARREARS, 2),)


def test_counts_are_by_category_in_the_catalogue_order():
    records = [
        body(Category.PPP_DEFAULT, "2025-01-01", 1),
        body(Category.JUDGMENT_DEFAULTER, "2024-06-01", 2),
        body(Category.PPP_DEFAULT, "2026-01-01", 3),
        body(Category.PAYMENT_ARREARS, "2026-02-01", 4),
    ]
    assert profile_of(records).counts == (
        CategoryCount(Category.JUDGMENT_DEFAULTER, 1),
        CategoryCount(Category.PAYMENT_ARREARS, 1),
        CategoryCount(Category.PPP_DEFAULT, 2),
    )


def test_closed_records_count_and_withdrawn_ones_do_not():
    records = [
        body(Category.PAYMENT_ARREARS, "2025-01-01", 1, repaired_on=date(2025, 6, 1)),
        body(Category.PAYMENT_ARREARS, "2025-02-01", 2, until=date(2025, 9, 1)),
        body(Category.PAYMENT_ARREARS, "2025-03-01", 3, objection=ObjectionKind.DATA_ERROR),
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
    disputed = body(
        Category.PROCUREMENT_BREACH, "2026-10-01", 3, objection=ObjectionKind.DATA_ERROR
    )
    # 轻微: published through 2026-11-21.
    lapsed = body(Category.PPP_DEFAULT, "2026-08-21", 4, severity=Severity.MINOR)
    repaired = body(Category.PAYMENT_ARREARS, "2026-06-01", 5, repaired_on=date(2026, 9, 1))
    delisted = body(Category.JUDGMENT_DEFAULTER, "2020-01-01", 6, until=date(2026, 11, 21))
    future = body(Category.PAYMENT_ARREARS, "2026-12-01", 7)
    records = [listed, published, disputed, lapsed, repaired, delisted, future]
    profile = profile_of(records)
    assert profile.open_items == (
        OpenItem(listed, None),
        OpenItem(disputed, date(2027, 10, 1)),
        OpenItem(published, date(2027, 5, 1)),
    )
    assert profile.listed_as_defaulter is True


def test_a_repair_closes_an_open_item_from_its_day():
    repaired = body(Category.PAYMENT_ARREARS, "2026-06-01", 1, repaired_on=AS_OF)
    assert profile_of([repaired], date(2026, 11, 21)).open_items == (
        OpenItem(repaired, date(2026, 11, 21)),
    )
    assert profile_of([repaired]).open_items == ()


def test_a_listing_on_ground_two_without_an_end_closes_two_years_after_listing():
    # 若干规定 Art. 2: grounds (二)–(六) list for two years; ground (一) until deleted.
    obstructing = body(Category.JUDGMENT_DEFAULTER, "2024-11-22", 1, listing_ground=2)
    refusing = body(Category.JUDGMENT_DEFAULTER, "2024-11-22", 2, listing_ground=1)
    assert profile_of([obstructing, refusing]).open_items == (
        OpenItem(obstructing, AS_OF),
        OpenItem(refusing, None),
    )
    assert profile_of([obstructing, refusing], date(2026, 11, 23)).open_items == (
        OpenItem(refusing, None),
    )


def test_a_purchaser_not_listed_is_not_flagged():
    published = body(Category.PAYMENT_ARREARS, "2026-05-01", 1)
    assert profile_of([published]).listed_as_defaulter is False


def test_open_item_on_its_last_published_day():
    last_day = body(Category.PPP_DEFAULT, "2026-08-22", 1, severity=Severity.MINOR)
    (item,) = profile_of([last_day]).open_items
    assert item.open_until == AS_OF


def test_no_records_give_an_empty_profile():
    profile = profile_of([])
    assert (profile.counts, profile.open_items) == ((), ())
