"""`hub sync …`, `hub quarantine …`: running connectors and looking after what they bring."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from hub.errors import InvalidInput, NotFound
from hub.records.service import MAX_BATCH
from hub.settings import Settings

SettingsOf = Callable[[], Settings]


def register(
    main: click.Group, console: Console, settings_of: SettingsOf, in_transaction: Callable[..., Any]
) -> None:
    @main.group()
    def sync() -> None:
        """Collect records from the agencies' systems (files, SQL views, HTTP APIs)."""

    agency_option = click.option(
        "--agency", "agency_uscc", required=True, help="USCC of the agency whose records these are."
    )
    every_option = click.option(
        "--checkpoint-every",
        default=1000,
        show_default=True,
        type=click.IntRange(1, MAX_BATCH),  # one chunk is one submit_records call
        help="Rows per transaction; a crash re-reads at most this many.",
    )

    @sync.command("court")
    @agency_option
    @click.option("--file", "path", required=True, type=click.Path(path_type=Path))
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "xlsx", "jsonl"]),
        help="Default: from the suffix.",
    )
    @click.option(
        "--stream",
        default="defaulters",
        show_default=True,
        type=click.Choice(["defaulters", "judgments"]),
    )
    @every_option
    def sync_court(
        agency_uscc: str, path: Path, fmt: str | None, stream: str, checkpoint_every: int
    ) -> None:
        """失信被执行人 lists (CSV, XLSX, JSON Lines) and judgments against government bodies."""
        from connectors.court import CourtConfig, CourtConnector

        config = CourtConfig(
            path=path, format=fmt, stream=stream, checkpoint_every=checkpoint_every
        )
        _sync(console, settings_of(), CourtConnector(), config, agency_uscc, str(path), stream)

    @sync.command("discipline")
    @agency_option
    @click.option("--file", "path", required=True, type=click.Path(path_type=Path))
    @every_option
    def sync_discipline(agency_uscc: str, path: Path, checkpoint_every: int) -> None:
        """政务处分, 党纪处分 and 问责 decisions exported by the case system (XLSX)."""
        from connectors.discipline import Config, DisciplineConnector

        config = Config(path=str(path), checkpoint_every=checkpoint_every)
        _sync(console, settings_of(), DisciplineConnector(), config, agency_uscc, str(path), None)

    @sync.command("hr")
    @agency_option
    @click.option("--sql-url", help="SQLAlchemy URL of the HR system's database.")
    @click.option("--table", help="The view (or table) to read, with --sql-url.")
    @click.option("--file", "path", type=click.Path(path_type=Path), help="A CSV export instead.")
    @click.option(
        "--stream",
        required=True,
        type=click.Choice(["roster", "appraisals", "exam_misconduct", "dismissals"]),
    )
    @every_option
    def sync_hr(
        agency_uscc: str,
        sql_url: str | None,
        table: str | None,
        path: Path | None,
        stream: str,
        checkpoint_every: int,
    ) -> None:
        """The civil-servant roster, 年度考核 results, 录用违规违纪 and 辞退 records."""
        from connectors.hr import Config, HrConnector

        if bool(sql_url) == bool(path) or (sql_url and not table):
            raise click.UsageError("give either --sql-url with --table, or --file")
        config = Config(
            stream=stream,
            url=sql_url,
            table=table,
            path=str(path) if path else None,
            checkpoint_every=checkpoint_every,
        )
        label = f"{_without_password(sql_url)} {table}" if sql_url else str(path)
        _sync(console, settings_of(), HrConnector(), config, agency_uscc, label, stream)

    @sync.command("finance")
    @agency_option
    @click.option("--url", "base_url", required=True, help="Base URL of the contract API.")
    @click.option("--token-env", help="Name of the environment variable holding the API token.")
    @click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Judge unpaid contracts on this day.",
    )
    @every_option
    def sync_finance(
        agency_uscc: str, base_url: str, token_env: str | None, as_of: Any, checkpoint_every: int
    ) -> None:
        """Procurement contracts from the finance API: arrears (中小企业款项支付条例), breaches."""
        import os

        from connectors.finance import Config, FinanceConnector

        token = os.environ.get(token_env) if token_env else None
        if token_env and not token:
            raise click.UsageError(f"the environment variable {token_env} is not set")
        config = Config(
            base_url=base_url,
            token=token,
            as_of=f"{as_of:%Y-%m-%d}" if as_of else None,
            checkpoint_every=checkpoint_every,
        )
        _sync(console, settings_of(), FinanceConnector(), config, agency_uscc, base_url, None)

    @sync.command("status")
    def sync_status() -> None:
        """Recent runs with their counts, and where each stream's cursor stands."""
        from hub.ingest.service import cursors, recent_runs

        async def work(session: Any) -> tuple[Any, Any]:
            return await recent_runs(session), await cursors(session)

        runs, positions = in_transaction(settings_of(), work)
        _print_runs(console, runs)
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

    @main.group()
    def quarantine() -> None:
        """Rows the hub could not accept: kept whole and encrypted, with where and why."""

    @quarantine.command("list")
    @click.option("--run", "run_id", type=int, help="Only the rows of this run.")
    @click.option("--limit", default=200, show_default=True, type=int)
    def quarantine_list(run_id: int | None, limit: int) -> None:
        """The open quarantine, the subject masked (the rows themselves are encrypted)."""
        from hub.ingest.service import clear_rows, quarantine_listing

        async def work(session: Any) -> tuple[list[Any], int]:
            listing = await quarantine_listing(session, run_id=run_id, limit=limit)
            return listing, await clear_rows(session)

        rows, in_clear = in_transaction(settings_of(), work)
        table = Table(
            "id", "run", "connector", "stream", "where", "reference", "subject", "field", "reason"
        )
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
        console.print(
            f"{len(rows)} open row(s)" + (" (limit reached)" if len(rows) == limit else "")
        )
        if in_clear:
            console.print(
                f"[yellow]{in_clear} row(s) quarantined before this version hold personal data "
                "in clear: run `hub quarantine seal`[/yellow]"
            )

    @quarantine.command("seal")
    def quarantine_seal() -> None:
        """Encrypt the rows quarantined before revision 0005, which hold them in clear."""
        from hub.ingest.service import seal_clear_rows
        from hub.keys import load_keys
        from hub.subjects.pii import PiiCipher

        settings = settings_of()
        pii = PiiCipher(load_keys(settings).pii)
        sealed = in_transaction(settings, lambda s: seal_clear_rows(s, pii))
        console.print(f"{sealed} quarantined row(s) encrypted; none is left in clear")

    @quarantine.command("replay")
    @click.argument("ids", nargs=-1, type=int)
    @click.option("--run", "run_id", type=int, help="Replay every open row of this run.")
    def quarantine_replay(ids: tuple[int, ...], run_id: int | None) -> None:
        """Try quarantined rows again, with today's mapping and reference data."""
        _replay(console, settings_of(), in_transaction, ids, run_id)


def _sync(
    console: Console,
    settings: Settings,
    connector: Any,
    config: Any,
    agency_uscc: str,
    label: str,
    stream_name: str | None,
) -> None:
    from hub.db.engine import create_engine, session_factory
    from hub.ingest.engine import Source, run_ingest
    from hub.keys import load_keys
    from hub.subjects.pii import PiiCipher

    pii = PiiCipher(load_keys(settings).pii)

    async def run() -> list[Any]:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        try:
            agency_id = await _agency_id(sessions, agency_uscc)
            streams = connector.discover(config)
            chosen = [s for s in streams if stream_name in (None, s.name)] or streams[:1]
            summaries = []
            with _progress(console) as progress:
                for stream in chosen:
                    task = progress.add_task(f"{connector.name}/{stream.name}", total=None)
                    source = Source(connector, config, agency_id, label)

                    def advance(rows: int, task: TaskID = task) -> None:
                        progress.advance(task, rows)

                    summaries.append(await run_ingest(sessions, pii, source, stream, advance))
            return summaries
        finally:
            await engine.dispose()

    summaries = asyncio.run(run())
    table = Table(
        "run",
        "stream",
        "status",
        "read",
        "inserted",
        "updated",
        "unchanged",
        "quarantined",
        "notes",
    )
    for s in summaries:
        notes = ", ".join(f"{k}: {v}" for k, v in s.notes.items())
        table.add_row(
            str(s.run_id),
            s.stream,
            s.status,
            str(s.rows_read),
            str(s.inserted),
            str(s.updated),
            str(s.unchanged),
            str(s.quarantined),
            notes,
        )
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


async def _agency_id(sessions: Any, uscc: str) -> int:
    from hub.agencies.models import Agency

    async with sessions() as session:
        agency_id = await session.scalar(
            select(Agency.id).where(Agency.uscc == uscc.strip().upper())
        )
    if agency_id is None:
        raise NotFound(
            f"no agency with USCC {uscc}; register it with `hub agencies add`", field="--agency"
        )
    return int(agency_id)


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _print_runs(console: Console, runs: list[Any]) -> None:
    table = Table(
        "run",
        "agency",
        "connector",
        "stream",
        "status",
        "started",
        "read",
        "ins",
        "upd",
        "same",
        "quar",
        "error",
        title="recent runs",
    )
    for run, agency in runs:
        table.add_row(
            str(run.id),
            agency.name,
            run.connector,
            run.stream,
            run.status,
            f"{run.started_at:%Y-%m-%d %H:%M}",
            str(run.rows_read),
            str(run.inserted),
            str(run.updated),
            str(run.unchanged),
            str(run.quarantined),
            run.error or "",
        )
    console.print(table)


def _state_text(state: dict[str, Any]) -> str:
    shown = {
        k: (v[:12] + "…" if isinstance(v, str) and len(v) > 16 else v) for k, v in state.items()
    }
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def _replay(
    console: Console,
    settings: Settings,
    in_transaction: Callable[..., Any],
    ids: tuple[int, ...],
    run_id: int | None,
) -> None:
    from hub.ingest.registry import remap_for
    from hub.ingest.service import open_quarantine, replay
    from hub.keys import load_keys
    from hub.subjects.pii import PiiCipher

    if not ids and run_id is None:
        raise click.UsageError("name quarantined row ids, or --run N")
    pii = PiiCipher(load_keys(settings).pii)

    async def work(session: Any) -> list[Any]:
        rows = await open_quarantine(
            session, run_id=run_id, ids=set(ids) if ids else None, limit=100_000
        )
        if ids:
            missing = set(ids) - {r.id for r in rows}
            if missing:
                raise InvalidInput(f"not open in the quarantine: {sorted(missing)}", field="ids")
        return await replay(session, pii, rows, remap_for)

    results = in_transaction(settings, work)
    for result in results:
        console.print(
            f"replay run {result.run_id}: {result.replayed} row(s), {result.accepted} accepted, "
            f"{result.still_quarantined} still quarantined"
        )


def _without_password(url: str) -> str:
    # The run record names its source; a database password must not be in it.
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
