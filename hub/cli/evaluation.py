"""`hub evaluate` (政务诚信评价 of a period, printed, exported, published) and `hub warnings`
(the 监测预警 scan and list)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from hub.alerts.models import Alert
from hub.alerts.service import WarningFilter, list_warnings
from hub.alerts.states import WarningState
from hub.cli.context import OPERATOR, all_pages, cli, console, run
from hub.evaluation.indicators import current_system
from hub.evaluation.periods import parse_period
from hub.evaluation.scoring import Status
from hub.evaluation.service import Evaluation, Level, evaluate, publish
from hub.evaluation.workbook import evaluation_workbook
from hub.runtime import Runtime, raise_warnings


@click.command("evaluate")
@click.option("--period", required=True, help="A year (2026) or a quarter (2026-Q3).")
@click.option(
    "--level",
    type=click.Choice(["agency", "region"]),
    default="agency",
    show_default=True,
    help="Score each agency, or each 行政区划 (the mean of its agencies).",
)
@click.option(
    "--xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the workbook a 考核 office circulates.",
)
@click.option(
    "--publish",
    "publish_round",
    is_flag=True,
    help="Publish the round (a finished period only): stored as computed now, final from then on.",
)
@click.option("--evidence", is_flag=True, help="Print each score's evidence under its unit.")
def evaluate_command(
    period: str, level: str, xlsx: Path | None, publish_round: bool, evidence: bool
) -> None:
    """政务诚信评价 of a period: score, grade and rank per agency or region, from the hub's
    data and the indicator system (hub/evaluation/indicators.toml). Deterministic: the same
    data and indicator version print the same result."""
    when = parse_period(period)
    chosen = Level(level.upper())

    async def work(runtime: Runtime) -> Evaluation:
        if publish_round:
            async with runtime.transaction(cli().caller) as session:
                return await publish(session, OPERATOR, when, chosen, runtime.today())
        async with runtime.sessions() as session:
            return await evaluate(session, when, chosen, runtime.today())

    result = run(work)
    system = current_system()
    state = (
        f"published {result.published_at:%Y-%m-%d} by {result.published_by}"
        if result.published_at
        else "not published: computed from the data as it is now"
    )
    console.print(
        f"{system.title} · period {result.period} · as of {result.as_of} · "
        f"indicators {result.version} · {state}"
    )
    table = Table("rank", "unit", "code", "score", "grade", "pending")
    for unit in result.units:
        table.add_row(
            str(unit.rank), unit.name, unit.code, f"{unit.score:.2f}", unit.grade_label,
            str(unit.pending) if unit.pending else "",
        )  # fmt: skip
    console.print(table)
    if evidence:
        names = {i.id: i.name for i in system.indicators}
        for unit in result.units:
            console.print(f"[bold]{unit.rank}. {unit.name}[/bold] {unit.score:.2f}")
            for r in unit.indicators:
                if r.status is Status.SCORED and r.evidence:
                    console.print(
                        f"  {r.indicator_id} {names[r.indicator_id]}: {r.points} ({r.detail})"
                    )
                    for item in r.evidence:
                        console.print(f"    · {item.label}")
    pending = sum(u.pending for u in result.units)
    if pending:
        console.print(
            f"{pending} manual value(s) not entered (待录入): left out of the totals, never guessed"
        )
    if xlsx is not None:
        xlsx.write_bytes(evaluation_workbook(result, system))
        console.print(f"workbook written: {xlsx}")


@click.group()
def warnings() -> None:
    """监测预警: warnings raised by the rules in hub/alerts/rules.toml."""


@warnings.command("scan")
def warnings_scan() -> None:
    """Raise today's warnings (each once: a warning already raised is not raised again).
    Also part of `hub lifecycle run`."""

    console.print(f"{run(raise_warnings)} new warning(s)")


@warnings.command("list")
@click.option("--all", "show_all", is_flag=True, help="Closed ones too.")
@click.option("--limit", default=500, show_default=True, type=int)
def warnings_list(show_all: bool, limit: int) -> None:
    """Warnings, oldest first: open and acknowledged ones unless --all."""

    async def work(runtime: Runtime) -> list[Alert]:
        flt = WarningFilter(open_only=not show_all)
        async with runtime.sessions() as session:
            return await all_pages(
                lambda first, after: list_warnings(
                    session, OPERATOR, flt, first=first, after=after
                ),
                limit,
            )

    rows = run(work)
    table = Table("id", "level", "rule", "agency", "state", "message")
    for row in rows:
        table.add_row(
            str(row.id), row.level.label, row.rule, str(row.agency_id),
            row.state.label if row.state is not WarningState.OPEN else "[red]待处置[/red]",
            row.message,
        )  # fmt: skip
    console.print(table)
