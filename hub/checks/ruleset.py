"""Loading a rule set from its TOML file, strictly: an unknown key, a rule without a legal
basis or a duplicated id stops start-up with a message naming the rule."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from hub.checks.purposes import Outcome, Purpose
from hub.checks.rules import Rule, RuleSet, Window, WindowKind
from hub.errors import ConfigurationError
from hub.records.enums import RecordCategory, SanctionKind, SubjectType

RULESETS_DIR = Path(__file__).parent / "rulesets"
CURRENT = RULESETS_DIR / "current.toml"

_RULE_KEYS = {
    "id",
    "description",
    "purposes",
    "categories",
    "sanction_kinds",
    "subject_type",
    "window",
    "months",
    "outcome",
    "legal_basis",
    "note",
}
_REQUIRED = {"id", "description", "purposes", "categories", "window", "outcome", "legal_basis"}


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
    unknown = set(document) - {"version", "rule"}
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
    return RuleSet(version=version, rules=tuple(rules))


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
        window_kind = WindowKind(raw["window"])
        months = int(raw.get("months", 0))
        if window_kind is WindowKind.MONTHS and months <= 0:
            raise ValueError("window 'months' needs months > 0")
        return Rule(
            id=str(raw["id"]),
            description=str(raw["description"]),
            purposes=frozenset(Purpose(p) for p in raw["purposes"]),
            categories=frozenset(RecordCategory(c) for c in raw["categories"]),
            sanction_kinds=frozenset(SanctionKind(k) for k in raw.get("sanction_kinds", [])),
            subject_type=SubjectType(raw["subject_type"]) if "subject_type" in raw else None,
            window=Window(window_kind, months),
            outcome=Outcome(raw["outcome"]),
            legal_basis=str(raw["legal_basis"]).strip(),
            note=raw.get("note"),
        )
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {exc}") from exc
