"""`hub quarantine list|seal|replay`: rows the hub could not accept."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from hub import clock
from hub.cli.context import cli, console, run, transact
from hub.errors import InvalidInput
from hub.ingest.service import (
    ReplayResult,
    clear_rows,
    fingerprint_rows,
    open_quarantine,
    quarantine_listing,
    replay,
    seal_clear_rows,
)
from hub.runtime import Runtime

QUARANTINE_COLUMNS = (
    "id", "run", "connector", "stream", "where", "reference", "subject", "field", "reason"
)  # fmt: skip


@click.group()
def quarantine() -> None:
    """Rows the hub could not accept: kept whole and encrypted, with where and why."""


@quarantine.command("list")
@click.option("--run", "run_id", type=int, help="Only the rows of this run.")
@click.option("--limit", default=200, show_default=True, type=int)
def quarantine_list(run_id: int | None, limit: int) -> None:
    """The open quarantine, the subject masked (the rows themselves are encrypted)."""

    async def work(session: Any) -> tuple[list[Any], int]:
        listing = await quarantine_listing(session, run_id=run_id, limit=limit)
        return listing, await clear_rows(session)

    rows, in_clear = transact(work)
    table = Table(*QUARANTINE_COLUMNS)
    for row in rows:
        table.add_row(
            str(row.id),
            str(row.run_id),
            row.connector,
            row.stream,
            row.location,
            row.source_ref or "",
            row.subject or "",
            row.field,
            row.reason,
        )
    console.print(table)
    console.print(f"{len(rows)} open row(s)" + (" (limit reached)" if len(rows) == limit else ""))
    if in_clear:
        console.print(
            f"[yellow]{in_clear} row(s) quarantined before this version hold personal data "
            "in clear: run `hub quarantine seal`[/yellow]"
        )


@quarantine.command("seal")
def quarantine_seal() -> None:
    """Once after upgrading: encrypt the rows quarantined before revision 0005 (they hold
    their content in clear), and fingerprint those from before 0006, closing the duplicates
    that earlier re-runs of one file left (kept as resolved, never deleted)."""

    async def work(runtime: Runtime) -> tuple[int, int]:
        async with runtime.transaction(cli().caller) as session:
            sealed = await seal_clear_rows(session, runtime.pii)
            return sealed, await fingerprint_rows(session, runtime.pii)

    sealed, duplicates = run(work)
    console.print(f"{sealed} quarantined row(s) encrypted; none is left in clear")
    console.print(f"{duplicates} duplicate row(s) closed")


@quarantine.command("replay")
@click.argument("ids", nargs=-1, type=int)
@click.option("--run", "run_id", type=int, help="Replay every open row of this run.")
def quarantine_replay(ids: tuple[int, ...], run_id: int | None) -> None:
    """Try quarantined rows again, with today's mapping and reference data."""
    if not ids and run_id is None:
        raise click.UsageError("name quarantined row ids, or --run N")

    async def work(runtime: Runtime) -> list[ReplayResult]:
        async with runtime.transaction(cli().caller) as session:
            rows = await open_quarantine(
                session, run_id=run_id, ids=set(ids) if ids else None, limit=100_000
            )
            missing = set(ids) - {r.id for r in rows}
            if missing:
                raise InvalidInput(f"not open in the quarantine: {sorted(missing)}", field="ids")
            return await replay(session, runtime.pii, rows, clock.today())

    for result in run(work):
        console.print(
            f"replay run {result.run_id}: {result.replayed} row(s), {result.accepted} accepted, "
            f"{result.still_quarantined} still quarantined"
        )
