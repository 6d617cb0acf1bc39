"""Loading a rule set from its TOML file, strictly: an unknown key, a rule without a legal
basis, a duplicated id or a window that cannot be computed stops start-up with a message
naming the rule. The file's format is described at the top of rulesets/current.toml."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from hub.checks.purposes import AppraisalEffect, Outcome, Purpose
from hub.checks.rules import (
    Basis,
    EffectStep,
    ListingTerms,
    PublicityTerms,
    Rule,
    RuleChange,
    RuleSet,
    Window,
    WindowKind,
)
from hub.errors import ConfigurationError
from hub.records.enums import LabelledEnum, RecordCategory, SanctionKind, Severity, SubjectType

RULESETS_DIR = Path(__file__).parent / "rulesets"
CURRENT = RULESETS_DIR / "current.toml"

_TOP_KEYS = {"version", "publicity", "listing", "ranking", "change", "rule"}
_RULE_KEYS = {
    "id",
    "description",
    "purposes",
    "categories",
    "sanction_kinds",
    "severities",
    "subject_type",
    "window",
    "months",
    "max_months",
    "after_months",
    "effects",
    "outcome",
    "basis",
    "jurisdiction",
    "legal_basis",
    "note",
}
_REQUIRED = {"id", "description", "purposes", "categories", "window", "basis", "legal_basis"}
_EFFECT_KEYS = {"effect", "years"}
_PUBLICITY_MONTHS = (
    "minor_months",
    "general_months",
    "serious_months",
    "earlier_months",
    "unknown_months",
)
_PUBLICITY_KEYS = {"in_force_from", "earlier_categories", "legal_basis", *_PUBLICITY_MONTHS}
_LISTING_KEYS = {"months", "grounds", "legal_basis"}
_RANKING_KEYS = {"sanction_kinds", "legal_basis"}
_CHANGE_KEYS = {"version", "rules", "change", "reason"}

E = TypeVar("E", bound=LabelledEnum)


@cache
def current_ruleset() -> RuleSet:
    return load_ruleset(CURRENT)


def load_ruleset(path: Path) -> RuleSet:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"rule set {path}: {exc}") from exc
    return parse_ruleset(document, source=str(path))


def parse_ruleset(document: dict[str, Any], *, source: str = "rule set") -> RuleSet:
    unknown = set(document) - _TOP_KEYS
    if unknown:
        raise ConfigurationError(f"{source}: unknown top-level key(s) {sorted(unknown)}")
    version = document.get("version")
    if not isinstance(version, str) or not version:
        raise ConfigurationError(f"{source}: `version` is required")
    rules: list[Rule] = []
    seen: set[str] = set()
    for position, raw in enumerate(document.get("rule", []), start=1):
        rule = _parse_rule(raw, f"{source}: rule #{position} ({raw.get('id', 'no id')})")
        if rule.id in seen:
            raise ConfigurationError(f"{source}: rule id {rule.id!r} is used twice")
        seen.add(rule.id)
        rules.append(rule)
    if not rules:
        raise ConfigurationError(f"{source}: no rules")
    return RuleSet(
        version=version,
        rules=tuple(rules),
        publicity=_parse_publicity(_table(document, "publicity", source), f"{source}: [publicity]"),
        listing=_parse_listing(_table(document, "listing", source), f"{source}: [listing]"),
        ranking=_parse_ranking(_table(document, "ranking", source), f"{source}: [ranking]"),
        changes=tuple(
            _parse_change(raw, f"{source}: change #{n}")
            for n, raw in enumerate(document.get("change", []), start=1)
        ),
    )


def _table(document: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    table = document.get(name)
    if not isinstance(table, dict):
        raise ConfigurationError(f"{source}: the [{name}] table is required")
    return table


def _keys(raw: dict[str, Any], allowed: set[str], required: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise ConfigurationError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = required - set(raw)
    if missing:
        raise ConfigurationError(f"{where}: missing {sorted(missing)}")
    if "legal_basis" in required and not str(raw["legal_basis"]).strip():
        raise ConfigurationError(f"{where}: a legal constant or rule needs its legal basis")


def _months(raw: dict[str, Any], key: str, where: str) -> int:
    value = raw[key]
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigurationError(f"{where}: {key} must be a positive number of months")
    return value


def _parse_publicity(raw: dict[str, Any], where: str) -> PublicityTerms:
    _keys(raw, _PUBLICITY_KEYS, _PUBLICITY_KEYS, where)
    start = raw["in_force_from"]
    if not isinstance(start, date) or isinstance(start, datetime):
        raise ConfigurationError(f"{where}: in_force_from must be a date such as 2026-04-01")
    try:
        earlier = frozenset(_member(RecordCategory, c) for c in raw["earlier_categories"])
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {exc}") from exc
    months = {key: _months(raw, key, where) for key in _PUBLICITY_MONTHS}
    return PublicityTerms(in_force_from=start, earlier_categories=earlier, **months)


def _parse_listing(raw: dict[str, Any], where: str) -> ListingTerms:
    _keys(raw, _LISTING_KEYS, _LISTING_KEYS, where)
    grounds = raw["grounds"]
    if not isinstance(grounds, list) or not all(g in range(1, 7) for g in grounds):
        raise ConfigurationError(f"{where}: grounds are items 1–6 of 若干规定 Art. 1")
    return ListingTerms(months=_months(raw, "months", where), grounds=frozenset(grounds))


def _parse_ranking(raw: dict[str, Any], where: str) -> tuple[SanctionKind, ...]:
    _keys(raw, _RANKING_KEYS, _RANKING_KEYS, where)
    try:
        kinds = tuple(_member(SanctionKind, k) for k in raw["sanction_kinds"])
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {exc}") from exc
    missing = set(SanctionKind) - set(kinds)
    if missing or len(kinds) != len(set(kinds)):
        raise ConfigurationError(
            f"{where}: list every sanction kind once, lightest first; missing "
            f"{sorted(k.value for k in missing)}"
        )
    return kinds


def _parse_change(raw: Any, where: str) -> RuleChange:
    # A change may name rules this version removed: the names are not checked against it.
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: each [[change]] is a table")
    _keys(raw, _CHANGE_KEYS, _CHANGE_KEYS, where)
    rules = tuple(str(r) for r in raw["rules"])
    return RuleChange(str(raw["version"]), rules, str(raw["change"]), str(raw["reason"]))


def _member(kind: type[E], text: Any) -> E:
    """An enum member by its API name or its legal label (`留党察看一年`, `不称职`)."""
    found = kind.from_label(str(text))
    if found is None:
        raise ValueError(f"{text!r} is not a {kind.__name__} (name or Chinese label)")
    return found  # type: ignore[return-value]


def _parse_rule(raw: dict[str, Any], where: str) -> Rule:
    _keys(raw, _RULE_KEYS, _REQUIRED, where)
    try:
        purposes = frozenset(_member(Purpose, p) for p in raw["purposes"])
        rule = Rule(
            id=str(raw["id"]),
            description=str(raw["description"]),
            purposes=purposes,
            categories=frozenset(_member(RecordCategory, c) for c in raw["categories"]),
            sanction_kinds=frozenset(
                _member(SanctionKind, k) for k in raw.get("sanction_kinds", [])
            ),
            severities=frozenset(_member(Severity, s) for s in raw.get("severities", [])),
            subject_type=_member(SubjectType, raw["subject_type"])
            if "subject_type" in raw
            else None,
            window=_parse_window(raw),
            effects=tuple(_parse_effect(step) for step in raw.get("effects", [])),
            outcome=_outcome(raw, purposes),
            basis=Basis(raw["basis"]),
            jurisdiction=_jurisdiction(raw.get("jurisdiction")),
            legal_basis=str(raw["legal_basis"]).strip(),
            note=raw.get("note"),
        )
        _check_effects(rule)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{where}: {exc}") from exc
    return rule


def _outcome(raw: dict[str, Any], purposes: frozenset[Purpose]) -> Outcome:
    # An APPRAISAL rule states its effect on the grade (不得确定为优秀 …), which is what the
    # law says; for the verdict any such effect restricts.
    if Purpose.APPRAISAL in purposes:
        if "outcome" in raw:
            raise ValueError("an APPRAISAL rule states `effects`, not `outcome`")
        return Outcome.RESTRICTED
    if "outcome" not in raw:
        raise ValueError("missing ['outcome'] (RESTRICTED or REVIEW)")
    return _member(Outcome, raw["outcome"])


def _jurisdiction(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) not in (2, 4, 6) or not (text.isascii() and text.isdigit()):
        raise ValueError("jurisdiction is a 行政区划 prefix of 2, 4 or 6 digits (43, 3201)")
    return text


def _parse_window(raw: dict[str, Any]) -> Window:
    kind = WindowKind(raw["window"])
    lengths = {key: raw[key] for key in ("months", "max_months", "after_months") if key in raw}
    if kind is not WindowKind.MONTHS:
        if lengths:
            raise ValueError(f"{sorted(lengths)} belong to window 'months', not {kind.value!r}")
        return Window(kind)
    for key, value in lengths.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{key} must be a positive number of months")
    if "months" not in lengths:
        raise ValueError("window 'months' needs months > 0")
    if lengths.get("max_months", lengths["months"]) < lengths["months"]:
        raise ValueError("max_months is the longest period a decision may set: >= months")
    return Window(
        kind, lengths["months"], lengths.get("max_months", 0), lengths.get("after_months", 0)
    )


def _parse_effect(raw: Any) -> EffectStep:
    if not isinstance(raw, dict) or "effect" not in raw or set(raw) - _EFFECT_KEYS:
        raise ValueError(f"each of `effects` is {{effect = ..., years = N}}, not {raw!r}")
    years = raw.get("years")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or years <= 0):
        raise ValueError(f"effect years must be a positive whole number, not {years!r}")
    return EffectStep(_member(AppraisalEffect, raw["effect"]), years)


def _check_effects(rule: Rule) -> None:
    appraisal = Purpose.APPRAISAL in rule.purposes
    if appraisal and rule.purposes != {Purpose.APPRAISAL}:
        raise ValueError("an APPRAISAL rule serves APPRAISAL only: its effects mean nothing else")
    if appraisal != bool(rule.effects):
        raise ValueError("APPRAISAL rules, and only they, state `effects`")
    by_year = rule.window.kind is WindowKind.CALENDAR_YEARS
    if by_year and not appraisal:
        raise ValueError("window 'calendar_years' is for APPRAISAL rules")
    if by_year and any(step.years is None for step in rule.effects):
        raise ValueError("in window 'calendar_years' every effect states its years")
    if appraisal and not by_year and (len(rule.effects) != 1 or rule.effects[0].years):
        raise ValueError(
            f"window {rule.window.kind.value!r} holds one effect, without years, while it runs"
        )
