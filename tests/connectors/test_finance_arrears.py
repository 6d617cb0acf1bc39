"""保障中小企业款项支付条例 Art. 9–10 as dated cases: when payment is due, and when it is late."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.finance.arrears import (
    FROM_ACCEPTANCE,
    FROM_ACCEPTANCE_PERIOD_END,
    FROM_DELIVERY,
    MAX_TERM_DAYS,
    Contract,
    arrears,
    due_terms,
    payment_due,
)

DELIVERED = date(2024, 3, 1)
FAR_FUTURE = date(2030, 1, 1)

BASE = Contract(
    contract_id="HT-2024-0001",
    supplier_is_sme=True,
    amount=Decimal("50000.00"),
    delivered_on=DELIVERED,
    acceptance_required=False,
    acceptance_period_days=None,
    accepted_on=None,
    payment_term_days=None,
    paid_on=None,
)


def contract(**changes: object) -> Contract:
    return replace(BASE, **changes)  # type: ignore[arg-type]


def test_without_an_agreed_term_payment_is_due_30_days_after_delivery() -> None:
    terms = due_terms(contract())
    assert terms is not None
    assert (terms.clock_start, terms.clock_reason) == (DELIVERED, FROM_DELIVERY)
    assert terms.term_days == 30
    assert terms.due_on == date(2024, 3, 31)


def test_paying_on_the_due_day_is_on_time() -> None:
    assert arrears(contract(paid_on=date(2024, 3, 31)), FAR_FUTURE) is None


def test_paying_the_day_after_the_due_day_is_one_day_late() -> None:
    found = arrears(contract(paid_on=date(2024, 4, 1)), FAR_FUTURE)
    assert found is not None
    assert (found.days_late, found.paid, found.paid_on) == (1, True, date(2024, 4, 1))
    assert found.due.due_on == date(2024, 3, 31)
    assert found.amount == Decimal("50000.00")


def test_an_agreed_term_within_60_days_applies() -> None:
    assert payment_due(contract(payment_term_days=45)) == date(2024, 4, 15)
    assert payment_due(contract(payment_term_days=0)) == DELIVERED


def test_an_agreed_term_of_exactly_60_days_applies_without_a_note() -> None:
    terms = due_terms(contract(payment_term_days=60))
    assert terms is not None
    assert (terms.term_days, terms.due_on, terms.notes) == (60, date(2024, 4, 30), ())


def test_an_agreed_term_over_60_days_is_cut_to_60_and_says_so() -> None:
    terms = due_terms(contract(payment_term_days=90))
    assert terms is not None
    assert (terms.term_days, terms.due_on) == (60, date(2024, 4, 30))
    assert len(terms.notes) == 1 and "90日" in terms.notes[0] and "60日" in terms.notes[0]
    # Paid within the agreed 90 days, but after the legal 60: late all the same.
    found = arrears(contract(payment_term_days=90, paid_on=date(2024, 5, 20)), FAR_FUTURE)
    assert found is not None and found.days_late == 20


def test_the_term_counts_across_february_of_a_leap_year() -> None:
    assert payment_due(contract(delivered_on=date(2024, 1, 31))) == date(2024, 3, 1)
    assert payment_due(contract(delivered_on=date(2023, 1, 31))) == date(2023, 3, 2)


def test_acceptance_within_the_agreed_period_starts_the_clock() -> None:
    terms = due_terms(
        contract(acceptance_required=True, acceptance_period_days=15, accepted_on=date(2024, 3, 10))
    )
    assert terms is not None
    assert (terms.clock_start, terms.clock_reason) == (date(2024, 3, 10), FROM_ACCEPTANCE)
    assert terms.due_on == date(2024, 4, 9)


def test_acceptance_on_the_last_day_of_the_period_is_not_delayed() -> None:
    terms = due_terms(
        contract(acceptance_required=True, acceptance_period_days=15, accepted_on=date(2024, 3, 16))
    )
    assert terms is not None
    assert (terms.clock_start, terms.clock_reason) == (date(2024, 3, 16), FROM_ACCEPTANCE)


def test_delayed_acceptance_starts_the_clock_at_the_end_of_the_agreed_period() -> None:
    late = contract(
        acceptance_required=True,
        acceptance_period_days=15,
        accepted_on=date(2024, 4, 20),
        paid_on=date(2024, 4, 16),
    )
    terms = due_terms(late)
    assert terms is not None
    assert (terms.clock_start, terms.clock_reason) == (
        date(2024, 3, 16),
        FROM_ACCEPTANCE_PERIOD_END,
    )
    # Paid before the acceptance itself, yet a day after the term counted from the period end.
    found = arrears(late, FAR_FUTURE)
    assert found is not None and found.days_late == 1


def test_acceptance_not_done_when_the_period_has_ended_counts_from_its_end() -> None:
    pending = contract(acceptance_required=True, acceptance_period_days=15)
    assert payment_due(pending) == date(2024, 4, 15)
    assert arrears(pending, date(2024, 4, 15)) is None
    found = arrears(pending, date(2024, 4, 16))
    assert found is not None
    assert (found.days_late, found.paid, found.due.clock_reason) == (
        1,
        False,
        FROM_ACCEPTANCE_PERIOD_END,
    )


def test_acceptance_still_within_its_period_is_not_late() -> None:
    pending = contract(acceptance_required=True, acceptance_period_days=15)
    assert arrears(pending, date(2024, 3, 10)) is None


def test_acceptance_required_without_an_agreed_period_waits_for_acceptance() -> None:
    pending = contract(acceptance_required=True)
    assert payment_due(pending) is None
    assert arrears(pending, FAR_FUTURE) is None
    accepted = contract(acceptance_required=True, accepted_on=date(2024, 5, 1))
    assert payment_due(accepted) == date(2024, 5, 31)


def test_no_acceptance_needed_ignores_an_acceptance_date() -> None:
    assert payment_due(contract(accepted_on=date(2024, 6, 1))) == date(2024, 3, 31)


def test_an_undelivered_contract_has_no_due_date() -> None:
    assert payment_due(contract(delivered_on=None)) is None
    assert arrears(contract(delivered_on=None), FAR_FUTURE) is None


@pytest.mark.parametrize(
    ("as_of", "days_late"),
    [(date(2024, 3, 31), None), (date(2024, 4, 1), 1), (date(2024, 7, 1), 92)],
)
def test_an_unpaid_contract_is_late_from_the_day_after_the_due_day(
    as_of: date, days_late: int | None
) -> None:
    found = arrears(contract(), as_of)
    assert (found.days_late if found else None) == days_late
    assert found is None or (found.paid is False and found.as_of == as_of)


def test_a_payment_after_the_judgement_day_is_not_yet_known() -> None:
    found = arrears(contract(paid_on=date(2024, 6, 1)), date(2024, 4, 5))
    assert found is not None
    assert (found.paid, found.paid_on, found.days_late) == (False, None, 5)


def test_a_supplier_that_is_not_an_sme_is_outside_the_regulation() -> None:
    large = contract(supplier_is_sme=False, paid_on=date(2024, 12, 1))
    assert payment_due(large) == date(2024, 3, 31)
    assert arrears(large, FAR_FUTURE) is None


def test_prepayment_before_delivery_is_never_late() -> None:
    assert arrears(contract(paid_on=date(2024, 2, 1)), FAR_FUTURE) is None


# --- properties ---------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=400)


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    delivered = date(2023, 1, 1) + timedelta(days=draw(days))
    acceptance_required = draw(st.booleans())
    accepted_after = draw(st.none() | st.integers(min_value=0, max_value=200))
    paid_after = draw(st.none() | st.integers(min_value=-30, max_value=400))
    return Contract(
        contract_id="HT-P",
        supplier_is_sme=True,
        amount=Decimal(draw(st.integers(min_value=0, max_value=5_000_000))),
        delivered_on=delivered,
        acceptance_required=acceptance_required,
        acceptance_period_days=draw(st.none() | st.integers(min_value=0, max_value=120)),
        accepted_on=None if accepted_after is None else delivered + timedelta(accepted_after),
        payment_term_days=draw(st.none() | st.integers(min_value=0, max_value=365)),
        paid_on=None if paid_after is None else delivered + timedelta(paid_after),
    )


@given(contracts(), days, days)
def test_paying_earlier_never_creates_arrears(
    c: Contract, earlier_by: int, as_of_after: int
) -> None:
    as_of = date(2023, 1, 1) + timedelta(days=600 + as_of_after)
    assert c.delivered_on is not None
    paid = c.paid_on or c.delivered_on + timedelta(days=200)
    later = arrears(replace(c, paid_on=paid), as_of)
    earlier = arrears(replace(c, paid_on=paid - timedelta(days=earlier_by)), as_of)
    if later is None:
        assert earlier is None
    elif earlier is not None:
        assert earlier.days_late <= later.days_late


@given(contracts())
def test_the_due_date_is_never_more_than_60_days_after_the_clock_could_start(
    c: Contract,
) -> None:
    due = payment_due(c)
    assert c.delivered_on is not None
    if due is None:
        assert c.acceptance_required and c.acceptance_period_days is None and not c.accepted_on
        return
    if c.acceptance_required and c.acceptance_period_days is None:
        # No agreed period to bound the acceptance: the clock can only start at acceptance.
        assert c.accepted_on is not None
        assert due <= c.accepted_on + timedelta(days=MAX_TERM_DAYS)
    else:
        period = c.acceptance_period_days if c.acceptance_required else 0
        assert due <= c.delivered_on + timedelta(days=(period or 0) + MAX_TERM_DAYS)


@given(contracts(), days)
def test_arrears_arise_after_the_due_day_and_no_later_than_the_judgement_day(
    c: Contract, as_of_after: int
) -> None:
    as_of = date(2023, 1, 1) + timedelta(days=as_of_after)
    found = arrears(c, as_of)
    due = payment_due(c)
    if found is None:
        return
    assert due is not None and found.due.due_on == due
    assert found.days_late >= 1
    assert due + timedelta(days=1) <= (found.paid_on or as_of) <= as_of
    assert found.paid == (c.paid_on is not None and c.paid_on <= as_of)
