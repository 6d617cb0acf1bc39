"""Deadlines in working days on the official calendar (chinese-calendar knows the State
Council's notices through 2026): 春节 and 国庆 2026 with their 调休 working weekends, a year the
calendar does not know refused with a clear error, and an operator's holidays file."""

from __future__ import annotations

from datetime import date

import pytest

from hub.errors import ConfigurationError
from hub.lifecycle.calendar import CalendarUnknown, WorkCalendar, load_calendar
from hub.lifecycle.deadlines import deadlines, parse_deadlines
from hub.records.enums import RecordCategory

CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 14), True),  # Saturday worked before 春节 (调休)
        (date(2026, 2, 16), False),  # Monday in 春节
        (date(2026, 2, 23), False),  # last day of 春节, a Monday
        (date(2026, 2, 28), True),  # Saturday worked after 春节
        (date(2026, 9, 20), True),  # Sunday worked before 中秋/国庆
        (date(2026, 10, 7), False),  # Wednesday in 国庆
        (date(2026, 10, 10), True),  # Saturday worked after 国庆
        (date(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_the_calendar_knows_holidays_and_the_weekends_worked(day, working):
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "last"),
    [
        # 13 Fri, 14 Sat(调休), then 春节 to 23 Feb: 24–28 (28 a Saturday worked), 2–4 Mar.
        (date(2026, 2, 12), 10, date(2026, 3, 4)),
        # 28–30 Sep, then 国庆 to 7 Oct: 8, 9, 10 (a Saturday worked), 12–15.
        (date(2026, 9, 24), 10, date(2026, 10, 15)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        # A Friday: the weekend does not count, the start day itself never does.
        (date(2026, 12, 4), 1, date(2026, 12, 7)),
    ],
)
def test_working_days_are_counted_across_the_holidays(start, days, last):
    assert CALENDAR.add_working_days(start, days) == last


def test_a_deadline_running_into_a_year_the_calendar_does_not_know_is_refused_clearly():
    with pytest.raises(CalendarUnknown) as raised:
        CALENDAR.add_working_days(date(2026, 12, 22), 10)
    assert raised.value.code == "CALENDAR_UNKNOWN"
    assert "2027" in raised.value.message and "HUB_HOLIDAYS" in raised.value.message
    assert "2027年" in raised.value.for_officers


def test_an_operator_adds_a_year_in_a_holidays_file(tmp_path):
    # Illustrative days for the test, not 2027's official arrangement.
    path = tmp_path / "holidays.toml"
    path.write_text(
        "[[year]]\nyear = 2027\nholidays = [2027-01-01, 2027-01-04]\nworkdays = [2027-01-09]\n",
        encoding="utf-8",
    )
    calendar = load_calendar(path)
    # 23, 24, 25 (Fri), 28–31 Dec 2026 from the package; 1 Jan off, 4 Jan off, 5–8, 9 (Sat).
    assert calendar.add_working_days(date(2026, 12, 22), 10) == date(2027, 1, 7)
    assert calendar.is_working_day(date(2027, 1, 9))
    assert not calendar.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize(
    "text",
    [
        "[[year]]\nyear = 2027\nholidays = [2028-01-01]\n",  # a day outside the years declared
        "[[year]]\nholidays = [2027-01-01]\n",  # no year
        "year = [",  # not TOML
    ],
)
def test_a_wrong_holidays_file_stops_the_start_naming_it(tmp_path, text):
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_calendar(path)
    assert raised.value.field == "HUB_HOLIDAYS" and str(path) in raised.value.message


def test_court_listings_have_fifteen_days_to_examine_and_three_working_days_to_correct():
    terms = deadlines().for_objection(RecordCategory.JUDGMENT_DEFAULTER)
    assert "第十二条" in terms.basis
    # Calendar days to examine, across 国庆; working days to correct, a Saturday worked.
    assert terms.examine_by(CALENDAR, date(2026, 9, 24)) == date(2026, 10, 9)
    assert terms.correct_by(CALENDAR, date(2026, 9, 30)) == date(2026, 10, 10)


def test_other_records_default_to_ten_working_days_marked_for_verification():
    terms = deadlines().for_objection(RecordCategory.GOVERNMENT_SANCTION)
    assert "(verify)" in terms.basis
    assert terms.examine_by(CALENDAR, date(2026, 9, 24)) == date(2026, 10, 15)
    assert deadlines().repair_decide_by(CALENDAR, date(2026, 2, 12)) == date(2026, 3, 4)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"repair": {"decide_days": 10, "basis": "x"}}, "objection"),
        (
            {
                "objection": {"default": {"examine_days": 10, "examine_count": "weeks",
                                          "correct_days": 5, "basis": "x"}},
                "repair": {"decide_days": 10, "basis": "x"},
            },
            "examine_count",
        ),
        (
            {
                "objection": {"default": {"examine_days": 0, "examine_count": "working",
                                          "correct_days": 5, "basis": "x"}},
                "repair": {"decide_days": 10, "basis": "x"},
            },
            "positive",
        ),
    ],
)  # fmt: skip
def test_a_wrong_deadlines_file_is_refused(document, problem):
    with pytest.raises(ConfigurationError) as raised:
        parse_deadlines(document)
    assert problem in raised.value.message
