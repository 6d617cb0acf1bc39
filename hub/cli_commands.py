"""`hub clients …`, `hub check`, `hub demo`: commands that go through the domain services."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.auth.actor import Actor
from hub.auth.scopes import ALL_SCOPES
from hub.settings import Settings

T = TypeVar("T")
InTransaction = Callable[[Settings, Callable[[AsyncSession], Awaitable[T]]], T]

OPERATOR = Actor(client_id=None, agency_id=None, scopes=ALL_SCOPES)


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
    @click.option("--json", "as_json", is_flag=True, help="Print the credentials as JSON.")
    def clients_add(name: str, agency_uscc: str, scopes: str, as_json: bool) -> None:
        """Register a client; prints its secret once (only a hash is kept)."""
        from hub.auth.service import add_client

        issued = in_transaction(
            settings_of(),
            lambda s: add_client(s, name=name, agency_uscc=agency_uscc, scopes=scopes),
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
        table = Table("name", "agency", "scopes", "state")
        table.add_column("client_id", no_wrap=True)
        for client, agency in rows:
            state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
            table.add_row(
                client.name, f"{agency.name} ({agency.uscc})", client.scopes, state, client.id
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
        "--reference", default="hub-cli", show_default=True, help="招录公告号, 评选批次 …"
    )
    @click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
    def check(
        purpose: str,
        id_number: str | None,
        uscc: str | None,
        name: str | None,
        reference: str,
        as_of: Any,
    ) -> None:
        """Run a 信用核查 locally as the operator and print the verdict and its reasons."""
        from hub.checks.purposes import Purpose
        from hub.checks.ruleset import current_ruleset
        from hub.checks.service import CheckRequest, run_check
        from hub.keys import load_keys
        from hub.subjects.identifiers import parse_id_number, parse_uscc
        from hub.subjects.pii import PiiCipher

        if bool(id_number) == bool(uscc):
            raise click.UsageError("give exactly one of --id-number or --uscc")
        settings = settings_of()
        pii = PiiCipher(load_keys(settings).pii)
        subject = (
            parse_id_number(id_number, field="--id-number")
            if id_number
            else parse_uscc(uscc or "", field="--uscc")
        )
        request = CheckRequest(
            purpose=Purpose(purpose.upper()),
            subject=subject,
            reference=reference,
            as_of=as_of.date() if as_of else clock.today(),
            name=name,
        )
        outcome = in_transaction(
            settings, lambda s: run_check(s, pii, current_ruleset(), OPERATOR, request)
        )
        _print_outcome(console, outcome)

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
