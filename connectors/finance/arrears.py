"""When a public purchaser must pay a small or medium-sized supplier, and whether it paid late:
《保障中小企业款项支付条例》 (rev. 2025-06-01) Art. 9–10. Pure: values in, values out.

Art. 9: 机关、事业单位 pay an SME within 30 days of delivery; the contract may agree a term,
but never more than 60 days. Art. 10: where payment follows inspection or acceptance, the term
runs from acceptance; a purchaser that delays acceptance cannot delay the clock — it then runs
from the end of the agreed acceptance period. "Within 30 days" means the 30th day after the
start is still on time; the day after it is the first day in arrears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

STATUTORY_TERM_DAYS = 30  # Art. 9, no term agreed
MAX_TERM_DAYS = 60  # Art. 9, the longest term a contract may agree

# Why the clock started when it did; shown to officers, hence Chinese.
FROM_DELIVERY = "交付之日"
FROM_ACCEPTANCE = "验收合格之日"
FROM_ACCEPTANCE_PERIOD_END = "约定验收期限届满之日（验收迟延）"


@dataclass(frozen=True)
class Contract:
    """The facts of one procurement contract that Art. 9–10 look at."""

    contract_id: str
    supplier_is_sme: bool
    amount: Decimal
    delivered_on: date | None  # None: not delivered, no clock yet
    acceptance_required: bool  # payment follows inspection or acceptance (Art. 10)
    acceptance_period_days: int | None  # agreed, counted from delivery
    accepted_on: date | None
    payment_term_days: int | None  # agreed; None: the statutory 30 days
    paid_on: date | None


@dataclass(frozen=True)
class Due:
    clock_start: date
    clock_reason: str  # FROM_DELIVERY, FROM_ACCEPTANCE or FROM_ACCEPTANCE_PERIOD_END
    term_days: int  # the term applied, after the 60-day cap
    due_on: date  # the last day on which paying is on time
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arrears:
    contract_id: str
    due: Due
    days_late: int  # to payment, or to `as_of` while unpaid
    amount: Decimal
    paid: bool
    paid_on: date | None
    as_of: date


def payment_term(agreed_days: int | None) -> tuple[int, str | None]:
    """The term that applies, and a note when the agreed one was cut to the legal maximum."""
    if agreed_days is None:
        return STATUTORY_TERM_DAYS, None
    if agreed_days > MAX_TERM_DAYS:
        note = (
            f"约定付款期限{agreed_days}日超过《保障中小企业款项支付条例》第九条规定的"
            f"{MAX_TERM_DAYS}日上限，按{MAX_TERM_DAYS}日计算"
        )
        return MAX_TERM_DAYS, note
    return agreed_days, None


def clock_start(contract: Contract) -> tuple[date, str] | None:
    """The day the payment term starts, or None while it cannot have started.

    An acceptance that has not happened is judged as if the agreed period ran out: if it is
    still running, the due date lies after its end anyway, so nothing can be late yet."""
    delivered = contract.delivered_on
    if delivered is None:
        return None
    if not contract.acceptance_required:
        return delivered, FROM_DELIVERY
    period_end = (
        delivered + timedelta(days=contract.acceptance_period_days)
        if contract.acceptance_period_days is not None
        else None
    )
    accepted = contract.accepted_on
    if accepted is not None and (period_end is None or accepted <= period_end):
        return accepted, FROM_ACCEPTANCE
    if period_end is not None:
        return period_end, FROM_ACCEPTANCE_PERIOD_END
    # Acceptance required, none agreed, none done: Art. 10 gives no day to count from.
    return None


def due_terms(contract: Contract) -> Due | None:
    start = clock_start(contract)
    if start is None:
        return None
    day, reason = start
    term, note = payment_term(contract.payment_term_days)
    return Due(day, reason, term, day + timedelta(days=term), (note,) if note else ())


def payment_due(contract: Contract) -> date | None:
    """The last day on which paying is on time; None while no clock runs."""
    terms = due_terms(contract)
    return terms.due_on if terms else None


def arrears(contract: Contract, as_of: date) -> Arrears | None:
    """The arrears on this contract as known on `as_of`, or None. Only SME suppliers are
    protected by the regulation (Art. 2, 9); a payment made after `as_of` is not yet known."""
    if not contract.supplier_is_sme:
        return None
    terms = due_terms(contract)
    if terms is None:
        return None
    paid_on = contract.paid_on if contract.paid_on and contract.paid_on <= as_of else None
    settled_on = paid_on or as_of
    if settled_on <= terms.due_on:
        return None
    return Arrears(
        contract_id=contract.contract_id,
        due=terms,
        days_late=(settled_on - terms.due_on).days,
        amount=contract.amount,
        paid=paid_on is not None,
        paid_on=paid_on,
        as_of=as_of,
    )
