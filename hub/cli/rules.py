"""`hub rules`: the rule set in force, grouped by article, and what changed since a version."""

from __future__ import annotations

import click
from rich.table import Table

from hub.checks.purposes import Purpose
from hub.checks.rules import Basis
from hub.checks.rules_listing import by_article, window_text
from hub.checks.ruleset import current_ruleset
from hub.cli.context import console

BASIS_TEXT = {Basis.STATUTE: "法定（修复不解除）", Basis.MEASURE: "惩戒措施（修复/公示期满解除）"}


@click.command("rules")
@click.option(
    "--purpose",
    type=click.Choice([p.value for p in Purpose], case_sensitive=False),
    help="Only the rules of this purpose.",
)
@click.option(
    "--changes",
    "since",
    metavar="VERSION",
    help="Instead: what changed after VERSION (e.g. 2026.11.2), and why.",
)
def rules(purpose: str | None, since: str | None) -> None:
    """Print the rules in force, grouped by the article of law each rests on."""
    ruleset = current_ruleset()
    if since is not None:
        _print_changes(since)
        return
    chosen = Purpose(purpose.upper()) if purpose else None
    groups = by_article(ruleset.rules, chosen)
    console.print(f"rule set {ruleset.version}: {sum(map(len, groups.values()))} rule(s)")
    for article, members in groups.items():
        table = Table("rule", "purposes", "what", "how long", "basis", title=article)
        for rule in members:
            where = f"\n仅适用于 {rule.jurisdiction}" if rule.jurisdiction else ""
            table.add_row(
                rule.id,
                " ".join(sorted(p.value for p in rule.purposes)),
                rule.description + where,
                window_text(rule),
                BASIS_TEXT[rule.basis],
            )
        console.print(table)


def _print_changes(since: str) -> None:
    ruleset = current_ruleset()
    changes = ruleset.changes_since(since)
    if not changes:
        console.print(f"no changes after {since} (in force: {ruleset.version})")
        return
    for change in changes:
        console.print(f"[bold]{change.version}[/bold] {', '.join(change.rules)}", markup=True)
        console.print(f"  {change.change}", markup=False)
        console.print(f"  why: {change.reason}", markup=False)
