"""Dates as agencies write them, read by one function that connectors and the hub share."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from vocabulary.dates import NotADate, parse_date


@pytest.mark.parametrize(
    "text",
    [
        "2019-07-09",
        "2019-7-9",
        "20190709",
        "2019年07月09日",
        "2019年7月9日",
        "2019/7/9",
        "2019.07.09",
        "２０１９年０７月０９日",  # full-width, as typed with a Chinese input method
        "2019-07-09 00:00:00",
        "2019-07-09T08:30:00+08:00",
        date(2019, 7, 9),
        datetime(2019, 7, 9, 23, 59),
    ],
)
def test_every_written_form_names_the_day(text):
    assert parse_date(text) == date(2019, 7, 9)


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_an_empty_value_is_no_date_rather_than_an_error(empty):
    assert parse_date(empty) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2025-02-30", "impossible date"),
        ("2019年13月01日", "impossible date"),
        ("明年", "not a date"),
    ],
)
def test_a_wrong_date_says_what_is_wrong(text, words):
    with pytest.raises(NotADate) as raised:
        parse_date(text)
    assert words in str(raised.value)
