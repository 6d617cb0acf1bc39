"""From one contract of the procurement API to the hub's records about its purchaser. Pure.

A contract gives zero, one or two records: PAYMENT_ARREARS when the purchaser paid (or has
not yet paid) an SME supplier later than Art. 9–10 of 《保障中小企业款项支付条例》 allow, and
PROCUREMENT_BREACH when the finance department recorded a breach by the purchaser. Either
way the subject is the purchaser — this hub keeps the credit of public bodies.

A contract that is unpaid and not yet in its final state of arrears can change by time alone,
without the source ever sending it again; `watch_entry` and `rejudge` keep it in view.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.base import SourceDataError, SourceRecord, source_record
from connectors.finance.arrears import Arrears, Contract, arrears, payment_due

ARREARS_LEGAL_BASIS = "《保障中小企业款项支付条例》第九条、第十条"
BREACH_LEGAL_BASIS = "《中华人民共和国政府采购法实施条例》第五十一条"
SERIOUS_DAYS_LATE = 90  # more than this many days late is SERIOUS
SERIOUS_AMOUNT = Decimal(1_000_000)  # yuan; this much or more in arrears is SERIOUS


def parse_contract(raw: Mapping[str, Any]) -> Contract:
    delivered = _date(raw, "delivered_on")
    accepted = _date(raw, "accepted_on")
    if accepted is not None and (delivered is None or accepted < delivered):
        raise SourceDataError(
            f"accepted on {accepted} but delivered on {delivered or 'no date'}: "
            "acceptance cannot come before delivery",
            field="accepted_on",
        )
    return Contract(
        contract_id=_required_text(raw, "contract_id"),
        supplier_is_sme=_bool(raw, "supplier_is_sme"),
        amount=_amount(raw),
        delivered_on=delivered,
        acceptance_required=_bool(raw, "acceptance_required"),
        acceptance_period_days=_days(raw, "acceptance_period_days"),
        accepted_on=accepted,
        payment_term_days=_days(raw, "payment_term_days"),
        paid_on=_date(raw, "paid_on"),
    )


def contract_records(raw: Mapping[str, Any], as_of: date) -> list[SourceRecord]:
    """Every record the contract gives, arrears first; [] for a contract kept as agreed."""
    _purchaser(raw)  # a contract that names no purchaser is unreadable, records or not
    records = [arrears_record(raw, as_of), breach_record(raw)]
    return [record for record in records if record is not None]


def arrears_record(raw: Mapping[str, Any], as_of: date) -> SourceRecord | None:
    contract = parse_contract(raw)
    found = arrears(contract, as_of)
    if found is None:
        return None
    purchaser = _purchaser(raw)
    supplier = _text(raw, "supplier_name") or "（未具名供应商）"
    record = {
        "source_ref": f"ARREARS-{contract.contract_id}",
        "category": "PAYMENT_ARREARS",
        "severity": arrears_severity(found),
        **purchaser,
        # Arrears arise the day after the last day on which paying was on time.
        "decided_at": (found.due.due_on + timedelta(days=1)).isoformat(),
        "summary": _arrears_summary(purchaser.get("subject_name"), supplier, found),
        "legal_basis": ARREARS_LEGAL_BASIS,
        "status": "ACTIVE",
        "detail": _arrears_detail(raw, contract, found),
    }
    if found.paid_on is not None:
        # Paid late is still a record: it happened. Its effect ends with the payment.
        record["effective_until"] = found.paid_on.isoformat()
    return source_record(record)


def arrears_severity(found: Arrears) -> str:
    if found.days_late > SERIOUS_DAYS_LATE or found.amount >= SERIOUS_AMOUNT:
        return "SERIOUS"
    return "GENERAL"


def breach_record(raw: Mapping[str, Any]) -> SourceRecord | None:
    breach = raw.get("breach")
    if breach is None:
        return None
    if not isinstance(breach, Mapping):
        raise SourceDataError("must be an object or null", field="breach")
    contract_id = _required_text(raw, "contract_id")
    recorded_on = _date(breach, "recorded_on", prefix="breach.")
    if recorded_on is None:
        raise SourceDataError("missing: the day the breach was recorded", "breach.recorded_on")
    purchaser = _purchaser(raw)
    kind = _text(breach, "kind") or "违约"
    description = _text(breach, "description")
    decision_ref = _text(breach, "decision_ref")
    record = {
        "source_ref": decision_ref or f"BREACH-{contract_id}",
        "category": "PROCUREMENT_BREACH",
        **purchaser,
        "decided_at": recorded_on.isoformat(),
        "summary": _breach_summary(purchaser, contract_id, kind, description),
        "legal_basis": _text(breach, "legal_basis") or BREACH_LEGAL_BASIS,
        "status": "ACTIVE",
        "detail": {
            "contract_id": contract_id,
            "supplier_name": _text(raw, "supplier_name"),
            "supplier_uscc": _text(raw, "supplier_uscc"),
            "amount": str(_amount(raw)),
            "breach_kind": kind,
            "description": description,
            "decision_ref": decision_ref,
        },
    }
    if _text(breach, "severity"):
        record["severity"] = _text(breach, "severity")
    return source_record(record)


def watch_entry(raw: Mapping[str, Any], as_of: date) -> dict[str, Any] | None:
    """What to keep about a contract whose arrears record can still appear or grow worse by
    time alone (unpaid, SME, a due date known), or None when only a new version from the
    source can change it. `severity` is that of the record already sent (None: none sent)."""
    contract = parse_contract(raw)
    if not contract.supplier_is_sme or (contract.paid_on and contract.paid_on <= as_of):
        return None
    if payment_due(contract) is None:
        # No clock yet: delivery or acceptance starts one, and the source sends the changed
        # contract again.
        return None
    found = arrears(contract, as_of)
    severity = arrears_severity(found) if found else None
    if severity == "SERIOUS":
        return None  # nothing worse can come of waiting
    return {"item": dict(raw), "severity": severity}


def rejudge(
    entry: Mapping[str, Any], as_of: date
) -> tuple[SourceRecord | None, dict[str, Any] | None]:
    """(the record to send now, if it changed since; the entry to keep, None to drop it)."""
    raw = entry["item"]
    try:
        record = arrears_record(raw, as_of)
        kept = watch_entry(raw, as_of)
    except SourceDataError:
        return None, None  # a stored entry was read once; a failing one cannot recover
    severity = record["severity"] if record else None
    return (record if severity != entry.get("severity") else None), kept


def _purchaser(raw: Mapping[str, Any]) -> dict[str, Any]:
    subject = {"subject_uscc": _required_text(raw, "purchaser_uscc")}
    name = _text(raw, "purchaser_name")
    if name:
        subject["subject_name"] = name
    return subject


def _breach_summary(
    purchaser: Mapping[str, Any], contract_id: str, kind: str, description: str | None
) -> str:
    who = purchaser.get("subject_name") or purchaser["subject_uscc"]
    head = f"{who}在采购合同{contract_id}履行中违约（{kind}）"
    return f"{head}：{description}" if description else head


def _arrears_summary(purchaser: str | None, supplier: str, found: Arrears) -> str:
    head = (
        f"{purchaser or '采购人'}应于{found.due.due_on.isoformat()}前向中小企业{supplier}"
        f"支付合同{found.contract_id}款项{found.amount}元"
    )
    if found.paid_on is not None:
        return f"{head}，{found.paid_on.isoformat()}方才支付，逾期{found.days_late}日"
    return f"{head}，截至{found.as_of.isoformat()}仍未支付，已逾期{found.days_late}日"


def _arrears_detail(raw: Mapping[str, Any], contract: Contract, found: Arrears) -> dict[str, Any]:
    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "contract_id": contract.contract_id,
        "supplier_name": _text(raw, "supplier_name"),
        "supplier_uscc": _text(raw, "supplier_uscc"),
        "amount": str(contract.amount),
        "signed_on": _text(raw, "signed_on"),
        "delivered_on": iso(contract.delivered_on),
        "acceptance_required": contract.acceptance_required,
        "acceptance_period_days": contract.acceptance_period_days,
        "accepted_on": iso(contract.accepted_on),
        "clock_start": found.due.clock_start.isoformat(),
        "clock_start_reason": found.due.clock_reason,
        "agreed_payment_term_days": contract.payment_term_days,
        "payment_term_days": found.due.term_days,
        "due_on": found.due.due_on.isoformat(),
        "paid_on": iso(found.paid_on),
        "days_late": found.days_late,
        "judged_as_of": found.as_of.isoformat(),
        "notes": list(found.due.notes),
    }


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _required_text(raw: Mapping[str, Any], key: str) -> str:
    text = _text(raw, key)
    if text is None:
        raise SourceDataError("missing", field=key)
    return text


def _bool(raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key)
    if not isinstance(value, bool):
        raise SourceDataError(f"must be true or false, not {value!r}", field=key)
    return value


def _days(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SourceDataError(f"must be a whole number of days, not {value!r}", field=key)
    return value


def _amount(raw: Mapping[str, Any]) -> Decimal:
    value = raw.get("amount")
    try:
        if isinstance(value, bool) or value is None:
            raise InvalidOperation
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise SourceDataError(f"not an amount in yuan: {value!r}", field="amount") from None
    if not amount.is_finite() or amount < 0:
        raise SourceDataError(f"not an amount in yuan: {value!r}", field="amount")
    return amount


def _date(raw: Mapping[str, Any], key: str, prefix: str = "") -> date | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        # "2024-03-01T00:00:00+08:00" from systems that only know timestamps: the day counts.
        return date.fromisoformat(str(value).strip().split("T")[0])
    except ValueError:
        raise SourceDataError(
            f"not a date: {value!r} (the API gives ISO dates, 2024-03-01)", field=prefix + key
        ) from None
