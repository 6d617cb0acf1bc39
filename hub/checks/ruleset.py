"""Loading a rule set from its TOML file, strictly: an unknown key, a rule without a legal
basis, a duplicated id or a window that cannot be computed stops start-up with a message
naming the rule. The file's format is described at the top of rulesets/current.toml."""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from hub.checks.purposes import AppraisalEffect, Outcome, Purpose
from hub.checks.rules import EffectStep, PublicityTerms, Rule, RuleSet, Window, WindowKind
from hub.errors import ConfigurationError
from hub.records.enums import (
    IN_FORCE,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)

RULESETS_DIR = Path(__file__).parent / "rulesets"
CURRENT = RULESETS_DIR / "current.toml"

_RULE_KEYS = {
    "id",
    "description",
    "purposes",
    "categories",
    "sanction_kinds",
    "severities",
    "statuses",
    "subject_type",
    "window",
    "months",
    "effects",
    "outcome",
    "legal_basis",
    "note",
}
_REQUIRED = {"id", "description", "purposes", "categories", "window", "outcome", "legal_basis"}
_EFFECT_KEYS = {"effect", "years"}
_PUBLICITY_KEYS = {field.name for field in dataclasses.fields(PublicityTerms)}


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
    unknown = set(document) - {"version", "publicity", "rule"}
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
    publicity = _parse_publicity(document.get("publicity", {}), f"{source}: [publicity]")
    return RuleSet(version=version, rules=tuple(rules), publicity=publicity)


def _parse_publicity(raw: dict[str, Any], where: str) -> PublicityTerms:
    unknown = set(raw) - _PUBLICITY_KEYS
    if unknown:
        raise ConfigurationError(f"{where}: unknown key(s) {sorted(unknown)}")
    for key, value in raw.items():
        if key == "in_force_from":
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ConfigurationError(f"{where}: {key} must be a date such as 2026-04-01")
        elif not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigurationError(f"{where}: {key} must be a positive number of months")
    return PublicityTerms(**raw)


def _parse_rule(raw: dict[str, Any], where: str) -> Rule:
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ConfigurationError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = _REQUIRED - set(raw)
    if missing:
        raise ConfigurationError(f"{where}: missing {sorted(missing)}")
    if not str(raw["legal_basis"]).strip():
        raise ConfigurationError(f"{where}: a rule without a legal basis is not applied")
    try:
        rule = Rule(
            id=str(raw["id"]),
            description=str(raw["description"]),
            purposes=frozenset(Purpose(p) for p in raw["purposes"]),
            categories=frozenset(RecordCategory(c) for c in raw["categories"]),
            sanction_kinds=frozenset(SanctionKind(k) for k in raw.get("sanction_kinds", [])),
            severities=frozenset(Severity(s) for s in raw.get("severities", [])),
            statuses=frozenset(RecordStatus(s) for s in raw.get("statuses", [])),
            subject_type=SubjectType(raw["subject_type"]) if "subject_type" in raw else None,
            window=_parse_window(raw),
            effects=tuple(_parse_effect(step) for step in raw.get("effects", [])),
            outcome=Outcome(raw["outcome"]),
            legal_basis=str(raw["legal_basis"]).strip(),
            note=raw.get("note"),
        )
        _check_statuses(rule)
        _check_effects(rule)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{where}: {exc}") from exc
    return rule


def _parse_window(raw: dict[str, Any]) -> Window:
    kind = WindowKind(raw["window"])
    if kind is not WindowKind.MONTHS:
        if "months" in raw:
            raise ValueError(f"`months` belongs to window 'months', not {kind.value!r}")
        return Window(kind)
    months = int(raw.get("months", 0))
    if months <= 0:
        raise ValueError("window 'months' needs months > 0")
    return Window(kind, months)


def _parse_effect(raw: Any) -> EffectStep:
    if not isinstance(raw, dict) or "effect" not in raw or set(raw) - _EFFECT_KEYS:
        raise ValueError(f"each of `effects` is {{effect = ..., years = N}}, not {raw!r}")
    years = raw.get("years")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or years <= 0):
        raise ValueError(f"effect years must be a positive whole number, not {years!r}")
    return EffectStep(AppraisalEffect(raw["effect"]), years)


def _check_statuses(rule: Rule) -> None:
    if not rule.statuses <= IN_FORCE:
        raise ValueError("`statuses` lists only ACTIVE, UNDER_OBJECTION: others never restrict")
    if RecordStatus.ACTIVE in rule.statuses and RecordStatus.UNDER_OBJECTION not in rule.statuses:
        # A record under objection is reported as REVIEW, never silently cleared.
        raise ValueError("a rule for ACTIVE records must also match UNDER_OBJECTION")


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
