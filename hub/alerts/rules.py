"""监测预警 rules (rules.toml) and what they raise from a day's facts: pure, so a scan is
repeatable — the same facts and day raise the same warnings with the same keys."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from hub.alerts.states import WarningLevel
from hub.records.enums import RecordCategory, Severity

KINDS = frozenset({"record", "arrears", "overdue", "due_soon", "source_silent"})
ITEMS = {"objection": "异议", "repair": "信用修复申请", "clue": "失信线索", "commitment": "承诺"}


@dataclass(frozen=True)
class AlertRule:
    id: str
    name: str
    level: WarningLevel
    kind: str
    basis: str
    categories: tuple[RecordCategory, ...] = ()
    severity: Severity | None = None
    window_days: int = 0
    days: int = 0
    item: str = ""


@dataclass(frozen=True)
class RecordFact:
    """A record about a participating agency (the agency is its subject)."""

    id: int
    agency_id: int
    category: RecordCategory
    severity: Severity
    decided_at: date
    due_on: date | None  # arrears: when the payment fell due
    source_ref: str


@dataclass(frozen=True)
class OpenItem:
    """An open workflow item with a running deadline, and the agency that must act."""

    item: str  # objection, repair, clue, commitment
    id: int
    agency_id: int
    due: date


@dataclass(frozen=True)
class FeedFact:
    agency_id: int
    last_delivery: date


@dataclass(frozen=True)
class Facts:
    records: Sequence[RecordFact] = ()
    items: Sequence[OpenItem] = ()
    feeds: Sequence[FeedFact] = ()


@dataclass(frozen=True)
class Raised:
    key: str
    rule: str
    level: WarningLevel
    agency_id: int
    message: str
    refs: dict[str, Any]


def raise_warnings(rules: Sequence[AlertRule], facts: Facts, today: date) -> list[Raised]:
    raised: list[Raised] = []
    for rule in rules:
        raised.extend(_RAISERS[rule.kind](rule, facts, today))
    return sorted(raised, key=lambda r: r.key)


def _records(rule: AlertRule, facts: Facts, today: date) -> list[Raised]:
    since = today - timedelta(days=rule.window_days)
    return [
        Raised(
            f"{rule.id}:record:{r.id}",
            rule.id,
            rule.level,
            r.agency_id,
            f"{rule.name}：{r.category.label}（{r.severity.label}），{r.source_ref}，{r.decided_at}",
            {"record": r.id},
        )
        for r in facts.records
        if (not rule.categories or r.category in rule.categories)
        and (rule.severity is None or r.severity is rule.severity)
        and since <= r.decided_at <= today
    ]


def _arrears(rule: AlertRule, facts: Facts, today: date) -> list[Raised]:
    found = []
    for r in facts.records:
        if r.category is not RecordCategory.PAYMENT_ARREARS:
            continue
        late = (today - (r.due_on or r.decided_at)).days
        if late > rule.days:
            found.append(
                Raised(
                    f"{rule.id}:record:{r.id}",
                    rule.id,
                    rule.level,
                    r.agency_id,
                    f"{rule.name}：{r.source_ref}，已逾期 {late} 日",
                    {"record": r.id, "daysOverdue": late},
                )
            )
    return found


def _overdue(rule: AlertRule, facts: Facts, today: date) -> list[Raised]:
    return _items_due(rule, facts, lambda due: due < today, "期限 {due}")


def _due_soon(rule: AlertRule, facts: Facts, today: date) -> list[Raised]:
    until = today + timedelta(days=rule.days)
    return _items_due(rule, facts, lambda due: today <= due <= until, "{due} 到期")


def _items_due(
    rule: AlertRule, facts: Facts, when: Callable[[date], bool], wording: str
) -> list[Raised]:
    """A warning for each open item of the rule's kind whose due day `when` picks."""
    return [
        Raised(
            f"{rule.id}:{i.item}:{i.id}",
            rule.id,
            rule.level,
            i.agency_id,
            f"{rule.name}：{ITEMS[i.item]} {i.id}，{wording.format(due=i.due)}",
            {i.item: i.id, "due": str(i.due)},
        )
        for i in facts.items
        if i.item == rule.item and when(i.due)
    ]


def _silent(rule: AlertRule, facts: Facts, today: date) -> list[Raised]:
    # Keyed by the last delivery: a feed that resumes and falls silent again warns again.
    return [
        Raised(
            f"{rule.id}:agency:{f.agency_id}:{f.last_delivery}",
            rule.id,
            rule.level,
            f.agency_id,
            f"{rule.name}：最近一次成功报送在 {f.last_delivery}",
            {"agency": f.agency_id, "lastDelivery": str(f.last_delivery)},
        )
        for f in facts.feeds
        if (today - f.last_delivery).days > rule.days
    ]


_RAISERS = {
    "record": _records,
    "arrears": _arrears,
    "overdue": _overdue,
    "due_soon": _due_soon,
    "source_silent": _silent,
}


def parse_rules(data: dict[str, Any]) -> tuple[AlertRule, ...]:
    rules = []
    for raw in data.get("rule", []):
        where = f"warning rule {raw.get('id', '?')}"
        try:
            rule = AlertRule(
                id=raw["id"],
                name=raw["name"],
                level=WarningLevel(raw["level"]),
                kind=raw["kind"],
                basis=raw["basis"],
                categories=tuple(RecordCategory(c) for c in raw.get("categories", [])),
                severity=Severity(raw["severity"]) if "severity" in raw else None,
                window_days=int(raw.get("window_days", 0)),
                days=int(raw.get("days", 0)),
                item=raw.get("item", ""),
            )
        except (KeyError, ValueError) as error:
            raise ValueError(f"{where}: {error}") from None
        if rule.kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {rule.kind}")
        if rule.kind in ("overdue", "due_soon") and rule.item not in ITEMS:
            raise ValueError(f"{where}: item is one of {', '.join(ITEMS)}")
        if rule.kind == "due_soon" and rule.item != "commitment":
            raise ValueError(f"{where}: only commitments warn before they are due")
        rules.append(rule)
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise ValueError("warning rule ids repeat")
    return tuple(rules)


@cache
def current_rules() -> tuple[AlertRule, ...]:
    text = resources.files("hub.alerts").joinpath("rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text))
