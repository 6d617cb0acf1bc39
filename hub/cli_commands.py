"""`hub clients …`, `hub check`, `hub demo`: commands that go through the domain services."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.auth.actor import Actor
from hub.auth.scopes import ALL_SCOPES
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.checks.batch_files import BatchItem, ResultRow, RowProblem
    from hub.checks.batch_results import Answered, Screening
    from hub.checks.purposes import Purpose
    from hub.checks.service import CheckRequest

OPERATOR = Actor(client_id=None, agency_id=None, scopes=ALL_SCOPES)
# Checks per transaction in a batch: bounded queries per chunk, and progress the officer sees.
BATCH_CHUNK = 500
SHOWN_PROBLEMS = 20


def register(
    main: click.Group,
    console: Console,
    settings_of: Callable[[], Settings],
    in_transaction: Callable[..., Any],
) -> None:
    @main.group()
    def agencies() -> None:
        """Participating agencies (data providers and consumers)."""

    @agencies.command("add")
    @click.option("--uscc", required=True, help="统一社会信用代码 (government organs start 11).")
    @click.option("--name", required=True, help="Full name, e.g. 江州市人力资源和社会保障局.")
    @click.option("--region", help="6-digit 行政区划代码; default: characters 3-8 of the USCC.")
    @click.option(
        "--level",
        type=click.Choice([lv.value for lv in AgencyLevel]),
        default="CITY",
        show_default=True,
    )
    @click.option(
        "--family",
        type=click.Choice([f.value for f in AgencyFamily]),
        default="OTHER",
        show_default=True,
        help="Source family: DISCIPLINE 纪委监委, COURT 法院, HR 组织部/人社, FINANCE 财政.",
    )
    def agencies_add(uscc: str, name: str, region: str | None, level: str, family: str) -> None:
        """Register an agency, so that its systems can be given clients."""
        from hub.agencies.service import add_agency

        agency, warning = in_transaction(
            settings_of(),
            lambda s: add_agency(
                s,
                uscc=uscc,
                name=name,
                region_code=region,
                level=AgencyLevel(level),
                family=AgencyFamily(family),
            ),
        )
        if warning:
            console.print(f"[yellow]! USCC {agency.uscc}: {warning}[/yellow]")
        console.print(f"agency registered: {agency.name} ({agency.uscc}, {agency.region_code})")

    @agencies.command("list")
    def agencies_list() -> None:
        """List the registered agencies."""
        from hub.agencies.service import list_agencies

        table = Table("USCC", "name", "region", "level", "family")
        for agency in in_transaction(settings_of(), list_agencies):
            table.add_row(
                agency.uscc,
                agency.name,
                agency.region_code,
                agency.level.value,
                agency.family.value,
            )
        console.print(table)

    @main.group()
    def clients() -> None:
        """OAuth 2.0 clients: the agency systems allowed to call the hub."""

    @clients.command("add")
    @click.argument("name")
    @click.option("--agency", "agency_uscc", required=True, help="USCC of the client's agency.")
    @click.option(
        "--scopes", required=True, help='Space-separated, e.g. "check:hiring records:read".'
    )
    @click.option(
        "--jurisdiction",
        default=None,
        help="行政区划代码 (e.g. 320100) or prefix: the client reads only subjects there.",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the credentials as JSON.")
    def clients_add(
        name: str, agency_uscc: str, scopes: str, jurisdiction: str | None, as_json: bool
    ) -> None:
        """Register a client; prints its secret once (only a hash is kept)."""
        from hub.auth.service import add_client

        issued = in_transaction(
            settings_of(),
            lambda s: add_client(
                s, name=name, agency_uscc=agency_uscc, scopes=scopes, jurisdiction=jurisdiction
            ),
        )
        credentials = {"client_id": issued.client.id, "client_secret": issued.secret}
        if as_json:
            click.echo(json.dumps(credentials))
            return
        console.print(f"client_id:     {issued.client.id}")
        console.print(f"client_secret: {issued.secret}")
        console.print("[yellow]The secret is shown only now; store it safely.[/yellow]")

    @clients.command("list")
    def clients_list() -> None:
        """List clients with their agency, scopes and state."""
        from hub.auth.service import list_clients

        rows = in_transaction(settings_of(), list_clients)
        table = Table("name", "agency", "scopes", "jurisdiction", "state")
        table.add_column("client_id", no_wrap=True)
        for client, agency in rows:
            state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
            table.add_row(
                client.name,
                f"{agency.name} ({agency.uscc})",
                client.scopes,
                client.jurisdiction or "all",
                state,
                client.id,
            )
        console.print(table)

    @clients.command("revoke")
    @click.argument("client_id")
    def clients_revoke(client_id: str) -> None:
        """Revoke a client: its tokens stop working at once."""
        from hub.auth.service import revoke_client

        in_transaction(settings_of(), lambda s: revoke_client(s, client_id))
        console.print(f"client {client_id} revoked")

    @main.command("check")
    @click.option(
        "--purpose",
        required=True,
        type=click.Choice(
            ["HIRING", "TRANSFER", "AWARD", "APPRAISAL", "PROCUREMENT"], case_sensitive=False
        ),
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
        "--batch",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A list to screen: .xlsx or .csv with the headers 姓名 and 身份证号码 "
        "or 统一社会信用代码 (备注 optional).",
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
    def check(
        purpose: str,
        id_number: str | None,
        uscc: str | None,
        name: str | None,
        reference: str | None,
        as_of: Any,
        batch: Path | None,
        out: Path | None,
        show_pii: bool,
    ) -> None:
        """Run a 信用核查 locally as the operator and print the verdict and its reasons.

        With --batch, screen a whole list (e.g. the candidates for 评优评先) and write the
        verdicts, rules and articles to an .xlsx workbook."""
        from hub.checks.purposes import Purpose

        day = as_of.date() if as_of else clock.today()
        if batch is None:
            if out is not None or show_pii:
                raise click.UsageError("--out and --show-pii go with --batch")
            request = _single_request(
                Purpose(purpose.upper()), id_number, uscc, name, reference, day
            )
            _check_one(console, settings_of(), in_transaction, request)
            return
        if id_number or uscc or name:
            raise click.UsageError(
                "--batch reads the subjects from the file; "
                "do not combine it with --id-number, --uscc or --name"
            )
        job = _batch_job(Purpose(purpose.upper()), batch, out, reference, day, show_pii)
        _check_batch(console, settings_of(), in_transaction, job)

    @main.command("demo")
    @click.option(
        "--credentials",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path("demo-client.json"),
        show_default=True,
        help="Where to write the demo client's credentials.",
    )
    def demo(credentials: Path) -> None:
        """Load the demo data set (江州市) and a demo client holding every scope. Idempotent."""
        _load_demo(console, settings_of(), in_transaction, credentials)


def _single_request(
    purpose: Purpose,
    id_number: str | None,
    uscc: str | None,
    name: str | None,
    reference: str | None,
    as_of: date,
) -> CheckRequest:
    from hub.checks.service import CheckRequest
    from hub.subjects.identifiers import parse_id_number, parse_uscc

    if bool(id_number) == bool(uscc):
        raise click.UsageError("give exactly one of --id-number or --uscc, or a list with --batch")
    subject = (
        parse_id_number(id_number, field="--id-number")
        if id_number
        else parse_uscc(uscc or "", field="--uscc")
    )
    reference = "hub-cli" if reference is None else reference
    return CheckRequest(purpose, subject, reference, as_of, name)


def _check_one(
    console: Console, settings: Settings, in_transaction: Callable[..., Any], request: CheckRequest
) -> None:
    from hub.checks.ruleset import current_ruleset
    from hub.checks.service import run_check
    from hub.keys import load_keys
    from hub.subjects.pii import PiiCipher

    pii = PiiCipher(load_keys(settings).pii)
    outcome = in_transaction(
        settings, lambda s: run_check(s, pii, current_ruleset(), OPERATOR, request)
    )
    _print_outcome(console, outcome)


@dataclass(frozen=True)
class _BatchJob:
    source: Path
    out: Path
    screening: Screening


def _batch_job(
    purpose: Purpose,
    source: Path,
    out: Path | None,
    reference: str | None,
    as_of: date,
    show_pii: bool,
) -> _BatchJob:
    """Refuses a bad invocation before anything is read or any check is stored."""
    from hub.checks.batch_results import Screening
    from hub.checks.service import MAX_REFERENCE

    if out is None:
        raise click.UsageError("--batch needs --out RESULT.xlsx, the workbook to write")
    if out.suffix.lower() != ".xlsx":
        raise click.UsageError(f"--out must name an .xlsx workbook, got {out.name}")
    if out.resolve() == source.resolve():
        raise click.UsageError("--out must not overwrite the --batch list")
    if not out.resolve().parent.is_dir():
        raise click.UsageError(f"--out: the folder {out.resolve().parent} does not exist")
    reference = (reference or "").strip()
    if not reference:
        # A screening must say which 评选批次 it was for, so its checks can be accounted for.
        raise click.UsageError("--batch needs --reference, e.g. --reference 2026年度评优第1批")
    if len(reference) > MAX_REFERENCE:
        raise click.UsageError(f"--reference is longer than {MAX_REFERENCE} characters")
    return _BatchJob(source, out, Screening(purpose, reference, as_of, show_pii))


def _check_batch(
    console: Console, settings: Settings, in_transaction: Callable[..., Any], job: _BatchJob
) -> None:
    from hub.checks.batch_files import BatchMeta, read_batch, write_results
    from hub.checks.batch_results import coverage_lines
    from hub.checks.ruleset import current_ruleset

    with console.status(f"reading {job.source.name}…"):
        batch = read_batch(job.source)
    console.print(
        f"{job.source.name} [{batch.format}]: {len(batch.items)} subject(s) to check, "
        f"{len(batch.problems)} row(s) unreadable",
        markup=False,
    )
    started = datetime.now(UTC)
    answered = _run_batch(console, settings, in_transaction, job.screening, batch.items)
    problems = sorted([*batch.problems, *answered.problems], key=lambda p: p.row)
    screening = job.screening
    meta = BatchMeta(
        purpose=f"{screening.purpose.label} ({screening.purpose.value})",
        reference=screening.reference,
        as_of=screening.as_of,
        ruleset_version=current_ruleset().version,
        checked_at=started,
        source=f"{job.source.name}（{batch.format}）",
        show_pii=screening.show_pii,
        coverage=coverage_lines(answered.coverage),
    )
    with console.status(f"writing {job.out.name}…"):
        write_results(job.out, answered.rows, problems, meta)
    _print_batch_summary(console, answered.rows, problems, job)


def _run_batch(
    console: Console,
    settings: Settings,
    in_transaction: Callable[..., Any],
    screening: Screening,
    items: list[BatchItem],
) -> Answered:
    """One transaction per chunk: a long list commits as it goes instead of holding one
    transaction (and SQLite's write lock) for the whole run."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from hub.checks.batch_results import Answered, check_chunk
    from hub.checks.ruleset import current_ruleset
    from hub.keys import load_keys
    from hub.subjects.pii import PiiCipher

    pii, ruleset = PiiCipher(load_keys(settings).pii), current_ruleset()
    total = Answered()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("核查中", total=len(items))
        for start in range(0, len(items), BATCH_CHUNK):
            chunk = items[start : start + BATCH_CHUNK]
            answered = in_transaction(
                settings,
                lambda s, chunk=chunk: check_chunk(s, pii, ruleset, OPERATOR, screening, chunk),
            )
            total.rows.extend(answered.rows)
            total.problems.extend(answered.problems)
            total.coverage = answered.coverage or total.coverage
            progress.advance(task, len(chunk))
    return total


def _print_batch_summary(
    console: Console, rows: list[ResultRow], problems: list[RowProblem], job: _BatchJob
) -> None:
    from hub.checks.batch_files import PROBLEMS_SHEET, verdict_counts, verdict_text

    table = Table("核查结论 verdict", "人数 count")
    for verdict, count in verdict_counts(rows).items():
        table.add_row(verdict_text(verdict), str(count))
    table.add_row("无法读取的行 unreadable rows", str(len(problems)))
    console.print(table)
    for problem in problems[:SHOWN_PROBLEMS]:
        where = f" [{problem.column}]" if problem.column else ""
        console.print(f"! row {problem.row}{where}: {problem.reason}", style="yellow", markup=False)
    if len(problems) > SHOWN_PROBLEMS:
        console.print(f"… {len(problems) - SHOWN_PROBLEMS} more in the sheet {PROBLEMS_SHEET}")
    console.print(f"results written to {job.out}", markup=False)
    if job.screening.show_pii:
        console.print(
            "[yellow]the workbook holds names and ID numbers in clear: personal data, "
            "keep it safe[/yellow]"
        )


def _print_outcome(console: Console, outcome: Any) -> None:
    evaluation = outcome.evaluation
    colour = {"CLEAR": "green", "REVIEW": "yellow", "RESTRICTED": "red"}[evaluation.verdict.value]
    console.print(
        f"verdict: [bold {colour}]{evaluation.verdict.value}[/] ({evaluation.verdict.label})   "
        f"rule set {evaluation.ruleset_version}   check {outcome.check.id}"
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
        disputed = " [异议中]" if finding.disputed else ""
        table.add_row(
            f"{finding.rule.id}\n{finding.rule.description}",
            f"{record.source_ref}\n{kind} {record.decided_at}{disputed}",
            until,
            finding.rule.legal_basis,
        )
    console.print(table)


DEMO_CLIENT_ID = "demo-client"


def _load_demo(
    console: Console, settings: Settings, in_transaction: Callable[..., Any], path: Path
) -> None:
    from hub.auth.service import ensure_client
    from hub.demo.dataset import build_dataset
    from hub.demo.loader import load_demo
    from hub.keys import load_keys
    from hub.subjects.pii import PiiCipher

    pii = PiiCipher(load_keys(settings).pii)
    dataset = build_dataset()
    known_secret = _read_secret(path)

    async def work(session: AsyncSession) -> tuple[Any, str]:
        summary = await load_demo(session, pii, dataset, today=clock.today())
        secret = await ensure_client(
            session,
            client_id=DEMO_CLIENT_ID,
            name="演示客户端（全部权限）",
            agency_uscc=dataset.demo_agency_uscc,
            scopes=" ".join(sorted(ALL_SCOPES)),
            known_secret=known_secret,
        )
        return summary, secret

    with console.status("loading the demo data set (江州市)…"):
        summary, secret = in_transaction(settings, work)
    credentials = {"client_id": DEMO_CLIENT_ID, "client_secret": secret}
    path.write_text(json.dumps(credentials, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)

    console.print(
        f"demo data: {summary.agencies_created} agencies, {summary.persons_created} persons, "
        f"{summary.records_inserted} records added; {summary.records_unchanged} records "
        "already present"
    )
    console.print(f"demo client credentials written to {path}:")
    console.print(json.dumps(credentials, indent=2), markup=False)
    table = Table()
    for column in ("ID number (居民身份证号码)", "name", "what a check says"):
        table.add_column(column, overflow="fold")
    for person in dataset.showcase:
        table.add_row(person.id_number, person.name, f"{person.expect_zh}\n{person.expect_en}")
    console.print("people to try:")
    console.print(table)


def _read_secret(path: Path) -> str | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if document.get("client_id") != DEMO_CLIENT_ID:
        return None
    secret = document.get("client_secret")
    return secret if isinstance(secret, str) else None
