"""The rule set as an officer reads it: rules grouped by the article they rest on. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hub.checks.purposes import Purpose
from hub.checks.rules import Rule, WindowKind

# The first law and article a basis names: 《中华人民共和国公务员法》第二十六条, or a document
# number such as 发改财金〔2023〕1103号 when the basis names no article first.
_ARTICLE = re.compile(
    r"《[^》]+》(?:（[^）]*）)?第[一二三四五六七八九十百零]+条|[^；;《]*〔\d{4}〕\d+号|《[^》]+》"
)


def primary_article(legal_basis: str) -> str:
    found = _ARTICLE.search(legal_basis)
    return found.group(0).strip("；; ") if found else legal_basis


def by_article(rules: Iterable[Rule], purpose: Purpose | None = None) -> dict[str, list[Rule]]:
    """Rules grouped by the article they rest on first, in the order the rule set lists them."""
    groups: dict[str, list[Rule]] = {}
    for rule in rules:
        if purpose is None or purpose in rule.purposes:
            groups.setdefault(primary_article(rule.legal_basis), []).append(rule)
    return groups


def window_text(rule: Rule) -> str:
    """How long the rule restricts, in the words of the rule set's header."""
    window = rule.window
    if window.kind is WindowKind.MONTHS:
        text = f"{window.months} 个月"
        if window.max_months > window.months:
            text += f"（决定所定期间最长 {window.max_months} 个月）"
        if window.after_months:
            text += f"，其后再 {window.after_months} 个月"
        return text
    if window.kind is WindowKind.CALENDAR_YEARS:
        return "；".join(f"{s.effect.label} {s.years} 年" for s in rule.effects)
    return {
        WindowKind.PERMANENT: "无期限",
        WindowKind.WHILE_ACTIVE: "在列/未结期间",
        WindowKind.PUBLICITY: "公示期内",
    }[window.kind]
