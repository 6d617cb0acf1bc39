"""The evaluation's arithmetic, pure: how a raw value becomes points, what the total leaves
out, how ties rank, how regions aggregate; periods; the indicator file's checks."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hub.errors import InvalidInput
from hub.evaluation.indicators import IndicatorError, Scoring, current_system, parse_system
from hub.evaluation.periods import parse_period
from hub.evaluation.scoring import (
    Evidence,
    Measured,
    Status,
    fraction_of,
    regions_of,
    score_indicator,
    score_units,
    total,
)

SYSTEM = current_system()


def _indicator(scoring: Scoring):  # type: ignore[no-untyped-def]
    return next(i for i in SYSTEM.indicators if i.scoring is scoring)


def test_the_shipped_system_adds_up_to_100_and_every_indicator_states_its_basis() -> None:
    assert sum(i.weight for i in SYSTEM.indicators) == 100
    assert all(i.basis.strip() for i in SYSTEM.indicators)
    assert set(SYSTEM.dimensions.values()) == {
        "依法行政",
        "政务公开",
        "勤政高效",
        "守信践诺",
        "政务信用管理",
    }
    assert [g.label for g in SYSTEM.grades] == ["优秀", "良好", "中等", "较差"]


@pytest.mark.parametrize(("value", "fraction"), [(0, 1.0), (1, 0.75), (2, 0.5), (4, 0.0), (9, 0.0)])
def test_deduct_costs_per_unit_and_stops_at_zero(value: float, fraction: float) -> None:
    indicator = next(i for i in SYSTEM.indicators if i.id == "I05")  # 0.25 per arrears record
    assert fraction_of(indicator, value) == fraction


def test_days_are_full_marks_up_to_good_and_nothing_from_bad() -> None:
    indicator = next(i for i in SYSTEM.indicators if i.id == "I10")  # good 7, bad 60
    assert fraction_of(indicator, 7) == 1.0
    assert fraction_of(indicator, 60) == 0.0
    assert fraction_of(indicator, 33.5) == pytest.approx(0.5)


def test_a_manual_indicator_nobody_entered_is_pending_and_left_out_of_the_total() -> None:
    manual = _indicator(Scoring.MANUAL)
    pending = score_indicator(manual, None)
    assert pending.status is Status.PENDING_INPUT and pending.points is None
    deduct = next(i for i in SYSTEM.indicators if i.id == "I05")
    half = score_indicator(deduct, Measured(2))  # 5 of 10 points
    # 5 points of the 10 that could be judged: 50, not 5 of 100 and not a guessed manual value.
    assert total(SYSTEM, [pending, half]) == 50.0


def test_nothing_to_judge_is_not_applicable_and_a_unit_with_nothing_scores_100() -> None:
    share = _indicator(Scoring.SHARE)
    result = score_indicator(share, None)
    assert result.status is Status.NOT_APPLICABLE
    assert total(SYSTEM, [result]) == 100.0


def test_nothing_counted_against_a_unit_is_full_marks_on_a_deduct_indicator() -> None:
    result = score_indicator(_indicator(Scoring.DEDUCT), None)
    assert (result.status, result.fraction, result.detail) == (Status.SCORED, 1.0, "无")


def _measured(**values: float) -> dict[str, Measured]:
    return {k: Measured(v, (Evidence("record", 1, k),)) for k, v in values.items()}


def test_units_rank_by_score_with_shared_ranks_and_grades_from_thresholds() -> None:
    names = {"A": "甲局", "B": "乙局", "C": "丙局", "D": "丁局"}
    measured = {
        "A": _measured(I05=0),  # 100
        "B": _measured(I05=2, I06=0),  # 5 of I05's 10
        "C": _measured(I05=2, I06=0),
        "D": _measured(I05=4, I06=3),  # nothing of I05 and I06
    }
    units = score_units(SYSTEM, names, measured)
    # The deduct indicators with nothing counted score full: B and C have 40 of 45 points.
    assert [(u.code, u.rank, u.grade_label) for u in units] == [
        ("A", 1, "优秀"),
        ("B", 2, "良好"),
        ("C", 2, "良好"),
        ("D", 4, "较差"),
    ]
    assert [u.score for u in units] == [100.0, 88.89, 88.89, 55.56]
    b = next(u for u in units if u.code == "B")
    scored = {r.indicator_id: r for r in b.indicators if r.status is Status.SCORED}
    assert scored["I05"].points == 5.0 and scored["I05"].evidence[0].label == "I05"
    assert b.pending == sum(1 for i in SYSTEM.indicators if i.manual)


def test_the_same_facts_give_the_same_result_whatever_their_order() -> None:
    names = {"B": "乙局", "A": "甲局"}
    measured = {"A": _measured(I05=1), "B": _measured(I05=1)}
    first = score_units(SYSTEM, names, measured)
    again = score_units(SYSTEM, dict(reversed(names.items())), dict(reversed(measured.items())))
    assert first == again
    assert [u.code for u in first] == ["A", "B"]  # ties in code order


def test_a_region_scores_the_mean_of_its_agencies() -> None:
    names = {"A": "甲局", "B": "乙局", "C": "丙局"}
    units = score_units(
        SYSTEM, names, {"A": _measured(I05=0), "B": _measured(I05=2), "C": _measured(I05=4)}
    )
    regions = regions_of(SYSTEM, units, {"A": "361202", "B": "361202", "C": "361203"},
                         {"361202": "江城区"})  # fmt: skip
    by_code = {r.code: r for r in regions}
    # A 100, B 40/45, C 35/45 (the deduct indicators with nothing counted score full).
    assert by_code["361202"].score == pytest.approx((100 + 88.89) / 2, abs=0.01)
    assert by_code["361202"].name == "江城区"
    assert by_code["361203"].score == 77.78 and by_code["361203"].name == "361203"
    assert [r.rank for r in regions] == [1, 2]
    i05 = next(r for r in by_code["361202"].indicators if r.indicator_id == "I05")
    assert i05.points == 7.5 and len(i05.evidence) == 2


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (" 2024-Q2 ", date(2024, 4, 1), date(2024, 6, 30)),
    ],
)
def test_periods_are_years_or_quarters(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)
    assert period.as_of(date(2026, 6, 1)) == min(end, date(2026, 6, 1))


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026Q1", "2026-13", "1999"])
def test_a_wrong_period_names_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_period(text)
    assert raised.value.field == "period"


def _file(**change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "t",
        "title": "t",
        "dimension": [{"id": "D", "name": "维度"}],
        "grade": [{"id": "G", "label": "合格", "min_score": 0}],
        "indicator": [
            {"id": "X", "name": "x", "dimension": "D", "weight": 100, "measure": "manual",
             "scoring": "manual", "basis": "b"}
        ],
    }  # fmt: skip
    data.update(change)
    return data


def test_a_valid_file_parses() -> None:
    assert parse_system(_file()).indicators[0].manual


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"indicator": [{"id": "X", "name": "x", "dimension": "D", "weight": 90,
                         "measure": "manual", "scoring": "manual", "basis": "b"}]}, "100"),
        ({"indicator": [{"id": "X", "name": "x", "dimension": "Q", "weight": 100,
                         "measure": "manual", "scoring": "manual", "basis": "b"}]}, "dimension"),
        ({"indicator": [{"id": "X", "name": "x", "dimension": "D", "weight": 100,
                         "measure": "records", "scoring": "deduct", "basis": "b",
                         "per_unit": 0.5}]}, "categories"),
        ({"grade": [{"id": "G", "label": "合格", "min_score": 60}]}, "lowest grade"),
    ],
)  # fmt: skip
def test_a_wrong_file_is_refused_with_the_reason(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(IndicatorError) as raised:
        parse_system(_file(**change))
    assert problem in str(raised.value)
