"""`hub check`: one check, a list (--batch), or a stored check again (--recheck)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from rich.table import Table

from hub import clock
from hub.checks.purposes import Purpose
from hub.checks.recheck import Recheck, recheck
from hub.checks.service import CheckOutcome, CheckRequest, run_check
from hub.cli.context import OPERATOR, cli, console, run
from hub.cli.screening import screen
from hub.runtime import Runtime
from hub.subjects.identifiers import parse_id_number, parse_uscc

VERDICT_COLOURS = {"CLEAR": "green", "REVIEW": "yellow", "RESTRICTED": "red"}


@click.command("check")
@click.option(
    "--purpose",
    type=click.Choice([p.value for p in Purpose], case_sensitive=False),
    help="Required, except with --recheck.",
)
@click.option("--id-number", help="居民身份证号码 of a person.")
@click.option("--uscc", help="统一社会信用代码 of an organization.")
@click.option("--name", help="The person's name, to confirm the identity.")
@click.option(
    "--reference",
    help="招录公告号, 评选批次 … Required with --batch; a single check defaults to hub-cli.",
)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@click.option(
    "--appraisal-year",
    type=click.IntRange(1950, 2199),
    help="APPRAISAL: the 年度考核 year judged (default: the year of --as-of).",
)
@click.option(
    "--batch",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A list to screen: .xlsx or .csv with the headers 姓名 and 身份证号码 "
    "or 统一社会信用代码 (备注 and 考核年度 optional).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --batch: the results workbook to write (.xlsx).",
)
@click.option(
    "--show-pii",
    is_flag=True,
    help="With --batch: write names and ID numbers in clear (default: masked).",
)
@click.option(
    "--recheck",
    "check_id",
    help="Answer a stored check (by its id) again with the rule set in force now, and show "
    "what changed.",
)
def check(
    purpose: str | None,
    id_number: str | None,
    uscc: str | None,
    name: str | None,
    reference: str | None,
    as_of: datetime | None,
    appraisal_year: int | None,
    batch: Path | None,
    out: Path | None,
    show_pii: bool,
    check_id: str | None,
) -> None:
    """Run a 信用核查 locally as the operator and print the verdict and its reasons.

    With --batch, screen a whole list (e.g. the candidates for 评优评先) and write the
    verdicts, rules and articles to an .xlsx workbook. With --recheck, answer a stored
    check again (same subject, purpose, asOf and appraisal year) with today's rule set."""
    day = as_of.date() if as_of else clock.today()
    if check_id is not None:
        if purpose or id_number or uscc or batch or as_of or appraisal_year:
            raise click.UsageError("--recheck takes the stored check's own subject and purpose")
        _print_recheck(run(lambda runtime: _recheck(runtime, check_id)))
        return
    if purpose is None:
        raise click.UsageError("--purpose is required")
    chosen = Purpose(purpose.upper())
    if batch is not None:
        if id_number or uscc or name:
            raise click.UsageError(
                "--batch reads the subjects from the file; "
                "do not combine it with --id-number, --uscc or --name"
            )
        screen(chosen, batch, out, reference, day, show_pii, appraisal_year)
        return
    if out is not None or show_pii:
        raise click.UsageError("--out and --show-pii go with --batch")
    request = _single_request(chosen, id_number, uscc, name, reference, day, appraisal_year)
    print_outcome(run(lambda runtime: _check_one(runtime, request)))


def _single_request(
    purpose: Purpose,
    id_number: str | None,
    uscc: str | None,
    name: str | None,
    reference: str | None,
    as_of: date,
    appraisal_year: int | None,
) -> CheckRequest:
    if bool(id_number) == bool(uscc):
        raise click.UsageError("give exactly one of --id-number or --uscc, or a list with --batch")
    subject = (
        parse_id_number(id_number, field="--id-number")
        if id_number
        else parse_uscc(uscc or "", field="--uscc")
    )
    reference = "hub-cli" if reference is None else reference
    return CheckRequest(purpose, subject, reference, as_of, name, appraisal_year=appraisal_year)


async def _check_one(runtime: Runtime, request: CheckRequest) -> CheckOutcome:
    async with runtime.transaction(cli().caller) as session:
        return await run_check(session, runtime.pii, runtime.ruleset, OPERATOR, request)


async def _recheck(runtime: Runtime, check_id: str) -> Recheck:
    async with runtime.transaction(cli().caller) as session:
        return await recheck(session, runtime.pii, runtime.ruleset, OPERATOR, check_id)


def print_outcome(outcome: CheckOutcome) -> None:
    evaluation = outcome.evaluation
    colour = VERDICT_COLOURS[evaluation.verdict.value]
    console.print(
        f"verdict: [bold {colour}]{evaluation.verdict.value}[/] ({evaluation.verdict.label})   "
        f"rule set {evaluation.ruleset_version}   check {outcome.check.id}"
    )
    if evaluation.appraisal is not None:
        effect = evaluation.appraisal.effect
        console.print(
            f"appraisal year {evaluation.appraisal.year}: "
            + (f"{effect.value} ({effect.label})" if effect else "not affected")
        )
    for warning in outcome.warnings:
        console.print(f"[yellow]! {warning}[/yellow]")
    if not evaluation.findings:
        console.print(f"no restricting record found ({len(outcome.records)} record(s) on file)")
        return
    table = Table(show_lines=True)
    for column in ("rule", "record", "until", "legal basis"):
        # An officer must be able to read the whole article: wrap, never cut.
        table.add_column(column, overflow="fold")
    for finding in evaluation.findings:
        record = outcome.records[finding.record.id]
        kind = record.sanction_kind.label if record.sanction_kind else record.category.label
        until = finding.restricts_until.isoformat() if finding.restricts_until else "无期限"
        marks = " [数据异议中]" if finding.disputed else ""
        marks += " [复审复核中，不停止执行]" if finding.pending_review else ""
        marks += " [异议逾期未处理]" if finding.objection_overdue else ""
        table.add_row(
            f"{finding.rule.id}\n{finding.rule.description}",
            f"{record.source_ref}\n{kind} {record.decided_at}{marks}",
            until,
            finding.rule.legal_basis,
        )
    console.print(table)


def _print_recheck(result: Recheck) -> None:
    before = result.before
    console.print(
        f"stored check {before.id}: {before.verdict.value} under rule set "
        f"{before.ruleset_version} ({before.purpose.value}, as of {before.as_of})"
    )
    print_outcome(result.after)
    if not result.verdict_changed and not result.added and not result.removed:
        console.print("no difference: the same verdict and the same findings")
        return
    after = result.after.evaluation
    console.print(
        f"[bold]difference[/bold]: verdict {before.verdict.value} → {after.verdict.value}"
    )
    for rule, record, outcome, until in result.removed:
        console.print(f"  - {rule} record {record}: {outcome} until {until or '无期限'}")
    for rule, record, outcome, until in result.added:
        console.print(f"  + {rule} record {record}: {outcome} until {until or '无期限'}")
    console.print("why: `hub rules --changes " + before.ruleset_version + "`")
