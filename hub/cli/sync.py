"""`hub sync <connector>` and `hub sync status`. Each connector's command and options are made
from its config (`spec()`): one option per field, with the field's help; a secret is read from
an environment variable named on the command line."""

from __future__ import annotations

import dataclasses
import os
import typing
from pathlib import Path
from typing import Any

import click
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from connectors.base import MAX_CHECKPOINT_EVERY, ConfigError, Connector
from connectors.registry import CONNECTORS
from hub.agencies.service import agency_by_uscc
from hub.cli.context import console, run, transact
from hub.db.statistics import WriterCare
from hub.garbage import collected_for_bulk_work
from hub.ingest.engine import RunSummary, Source, run_ingest
from hub.ingest.service import cursors, recent_runs
from hub.runtime import Runtime


@click.group()
def sync() -> None:
    """Collect records from the agencies' systems (files, SQL views, HTTP APIs)."""


def _option(field: dataclasses.Field[Any], hints: dict[str, Any]) -> click.Option:
    meta = field.metadata
    required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    flag = meta.get("flag") or "--" + field.name.replace("_", "-")
    if meta.get("secret"):
        return click.Option(
            [f"{flag}-env", field.name],
            help=f"Name of the environment variable holding it: {meta.get('help', '')}",
            required=required,
        )
    kind = typing.get_args(hints[field.name]) or (hints[field.name],)
    base = next(t for t in kind if t is not type(None))
    click_type: Any = {int: int, float: float, Path: click.Path(path_type=Path)}.get(base, str)
    if meta.get("choices"):
        click_type = click.Choice(list(meta["choices"]))
    if field.name == "checkpoint_every":  # one chunk is one transaction of the hub's
        click_type = click.IntRange(1, MAX_CHECKPOINT_EVERY)
    return click.Option(
        [flag, field.name],
        type=click_type,
        required=required,
        default=None if required else field.default,
        show_default=not required and field.default is not None,
        help=meta.get("help"),
    )


def _config(connector: Connector[Any], values: dict[str, Any]) -> Any:
    spec = connector.spec()
    for field in dataclasses.fields(spec):
        name = values.get(field.name)
        if field.metadata.get("secret") and name is not None:
            secret = os.environ.get(name)
            if not secret:
                raise click.UsageError(f"the environment variable {name} is not set")
            values[field.name] = secret
    return spec(**values)


def _command(connector: Connector[Any]) -> click.Command:
    spec = connector.spec()
    hints = typing.get_type_hints(spec)

    def callback(agency_uscc: str, allow_family_mismatch: bool, **values: Any) -> None:
        try:
            config = _config(connector, values)
        except (TypeError, ConfigError) as exc:
            raise click.UsageError(str(exc)) from exc
        with collected_for_bulk_work():
            summaries = run(
                lambda runtime: _sync(
                    runtime, connector, config, agency_uscc, allow_family_mismatch
                )
            )
        _report(summaries)

    agency = click.Option(
        ["--agency", "agency_uscc"],
        required=True,
        help="USCC of the agency whose records these are.",
    )
    override = click.Option(
        ["--allow-family-mismatch"],
        is_flag=True,
        help=f"Run it although the agency is not of the {connector.family} family (recorded "
        "on the run).",
    )
    return click.Command(
        connector.name,
        callback=callback,
        params=[agency, override, *(_option(f, hints) for f in dataclasses.fields(spec))],
        help=(type(connector).__doc__ or (spec.__doc__ or "")).strip() or None,
        short_help=f"Run the {connector.name} connector.",
    )


for _connector in CONNECTORS.values():
    sync.add_command(_command(_connector))


async def _sync(
    runtime: Runtime, connector: Connector[Any], config: Any, agency_uscc: str, override: bool
) -> list[RunSummary]:
    async with runtime.sessions() as session:
        agency_id = (await agency_by_uscc(session, agency_uscc, field="--agency")).id
    chosen = _streams(connector, config)
    care = WriterCare(runtime.engine)
    summaries = []
    with _progress() as progress:
        for stream in chosen:
            task = progress.add_task(f"{connector.name}/{stream.name}", total=None)
            source = Source(connector, config, agency_id, connector.describe(config))

            def advance(rows: int, task: TaskID = task) -> None:
                progress.advance(task, rows)

            summaries.append(
                await run_ingest(
                    runtime.sessions,
                    runtime.pii,
                    source,
                    stream,
                    advance,
                    allow_family_mismatch=override,
                    after_commit=care.after_commit,
                )
            )
    return summaries


def _streams(connector: Connector[Any], config: Any) -> list[Any]:
    # A config that names its stream feeds that one; otherwise every stream discovered.
    streams = connector.discover(config)
    wanted = getattr(config, "stream", None)
    return [s for s in streams if wanted in (None, s.name)] or streams[:1]


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


SUMMARY_COLUMNS = (
    "run", "stream", "status", "read", "inserted", "updated", "unchanged", "quarantined", "notes"
)  # fmt: skip


def _report(summaries: list[RunSummary]) -> None:
    table = Table(*SUMMARY_COLUMNS)
    for s in summaries:
        notes = ", ".join(f"{k}: {v}" for k, v in s.notes.items())
        counts = (s.rows_read, s.inserted, s.updated, s.unchanged, s.quarantined)
        table.add_row(str(s.run_id), s.stream, s.status, *map(str, counts), notes)
    console.print(table)
    failed = [s for s in summaries if s.status != "SUCCEEDED"]
    for s in failed:
        console.print(f"[red]run {s.run_id} failed: {s.error}[/red]")
    if any(s.quarantined for s in summaries):
        console.print(
            "rows in quarantine: see `hub quarantine list`, fix, then `hub quarantine replay`"
        )
    if failed:
        raise SystemExit(1)


@sync.command("status")
def sync_status() -> None:
    """Recent runs with their counts, and where each stream's cursor stands."""

    async def work(session: Any) -> tuple[Any, Any]:
        return await recent_runs(session), await cursors(session)

    runs, positions = transact(work)
    _print_runs(runs)
    table = Table("agency", "connector", "stream", "cursor", "updated", title="cursors")
    for cursor, agency in positions:
        table.add_row(
            agency.name,
            cursor.connector,
            cursor.stream,
            _state_text(cursor.state),
            f"{cursor.updated_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


RUN_COLUMNS = (
    "run", "agency", "connector", "stream", "status", "started",
    "read", "ins", "upd", "same", "quar", "error",
)  # fmt: skip


def _print_runs(runs: list[Any]) -> None:
    table = Table(*RUN_COLUMNS, title="recent runs")
    for run_row, agency in runs:
        counts = (
            run_row.rows_read,
            run_row.inserted,
            run_row.updated,
            run_row.unchanged,
            run_row.quarantined,
        )
        table.add_row(
            str(run_row.id),
            agency.name,
            run_row.connector,
            run_row.stream,
            run_row.status,
            f"{run_row.started_at:%Y-%m-%d %H:%M}",
            *map(str, counts),
            run_row.error or "",
        )
    console.print(table)


def _state_text(state: dict[str, Any]) -> str:
    shown = {
        k: (v[:12] + "…" if isinstance(v, str) and len(v) > 16 else v) for k, v in state.items()
    }
    return ", ".join(f"{k}={v}" for k, v in shown.items())
