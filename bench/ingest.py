"""Ingest of a court 失信被执行人 CSV through `hub sync court`, against a raw COPY of the same
file into an equivalent indexed table.

    .venv/bin/python -m bench.ingest [--rows 1000000] [--checkpoint-every 1000] [--keep-db]

Creates the PostgreSQL database `hub_bench_ingest` (dropped first if it exists), migrates it,
registers the court, writes the CSV with the court connector's sample writer (GBK,
unmasked), runs `hub sync court` on it as a child process (wall time, peak RSS, CPU), checks
what it left in the database, then COPYs the same file into an equivalent indexed table in
the same database. When the hub takes more than 3× the COPY, profiles a smaller ingest with
py-spy. See bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from bench import RESULTS, ROOT
from bench.cpu import wait_for_quiet
from bench.database import (
    bench_urls,
    drop_databases_and_files,
    raise_interrupt,
    recreate_database,
    with_database,
)
from bench.ingest_copy import CopyRun, copy_file, sample_row
from bench.ingest_data import CsvFile, court_uscc, fresh_database, write_csv
from bench.ingest_hub import (
    APPLICATION_NAME,
    RSS_METHOD,
    AutoAnalyze,
    Child,
    ChildRun,
    run_child,
)
from bench.ingest_profile import RATE, BackendSampler, print_summary, summarise
from bench.profiling import ensure_py_spy
from bench.report import pass_or_miss
from hub.keys import init_keys

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_RATIO = 3.0  # hub wall time ≤ 3 × the raw COPY's
TARGET_RSS_BYTES = 500 * 10**6  # peak RSS < 500 MB
WIDTH = 78


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the CSV")
    parser.add_argument(
        "--checkpoint-every",
        type=int,
        default=1000,
        help="`hub sync --checkpoint-every`: rows per transaction (hub default 1000)",
    )
    parser.add_argument(
        "--persons",
        type=int,
        help="distinct persons the rows draw on (default: 30%% of --rows, so a debtor "
        "appears under ~2.8 案号 on average)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database and its keys")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database", default="hub_bench_ingest")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HUB_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL),
        help="PostgreSQL URL used only to CREATE/DROP the bench databases",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds the hub ingest may take (each run)"
    )
    parser.add_argument(
        "--profile",
        choices=("auto", "always", "never"),
        default="auto",
        help="py-spy over a smaller ingest: when the ratio target is missed (auto), always, never",
    )
    parser.add_argument("--profile-rows", type=int, default=100_000)
    parser.add_argument("--wait-quiet", type=float, default=60, help="seconds, before each run")
    parser.add_argument("--progress-every", type=float, default=15, help="seconds")
    parser.add_argument(
        "--autoanalyze",
        choices=("auto", "off"),
        default="off",
        help="off (default): leave the statistics to the server and the hub (`hub sync` "
        "analyses the tables it fills itself when autovacuum is off: hub.db.statistics."
        "WriterCare); auto: when the server runs with autovacuum=off, the bench also runs "
        "ANALYZE the way autovacuum would (as it had to before the hub did)",
    )
    args = parser.parse_args(argv)
    if min(args.rows, args.checkpoint_every, args.profile_rows) < 1 or args.timeout <= 0:
        parser.error("--rows, --checkpoint-every, --profile-rows, --timeout must be positive")
    if args.persons is None:
        args.persons = max(1, args.rows * 3 // 10)
    if args.persons < 1:
        parser.error("--persons must be positive")
    return args


@dataclass
class Workspace:
    admin_url: str
    dsn: str  # the bench database, for asyncpg/psycopg
    url: str  # the same, for the hub (SQLAlchemy + asyncpg)
    work_dir: Path
    child: Child = field(default_factory=Child)
    databases: list[str] = field(default_factory=list)  # created by this run
    progress: ProgressReader | None = None

    @property
    def keys_dir(self) -> Path:
        return self.work_dir / "keys"


def hub_env(ws: Workspace, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "HUB_DATABASE_URL": url,
        "HUB_KEYS_DIR": str(ws.keys_dir),
        "HUB_ENV": "production",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "160",  # rich's table, not a terminal
    }


def hub_command(uscc: str, path: Path, checkpoint_every: int) -> list[str]:
    hub = Path(sys.executable).parent / "hub"
    return [
        str(hub), "sync", "court", "--agency", uscc, "--file", str(path),
        "--checkpoint-every", str(checkpoint_every),
    ]  # fmt: skip


class ProgressReader:
    """Progress lines from the run record the engine updates after every chunk; the samples
    (seconds, rows committed, RSS) go to the results."""

    def __init__(self, dsn: str, rows: int) -> None:
        self.dsn, self.rows = dsn, rows
        self.connection: psycopg.Connection[Any] | None = None
        self.samples: list[tuple[float, int, int | None]] = []

    def __call__(self, elapsed: float, rss: int | None) -> str | None:
        try:
            if self.connection is None:
                self.connection = psycopg.connect(
                    self.dsn, autocommit=True, connect_timeout=5, application_name=APPLICATION_NAME
                )
            row = self.connection.execute(
                "SELECT rows_read FROM ingest_runs ORDER BY id DESC LIMIT 1"
            ).fetchone()
        except psycopg.Error:
            self.close()
            row = None
        done = int(row[0]) if row else 0
        before, rows_before = (self.samples[-1][:2]) if self.samples else (0.0, 0)
        self.samples.append((round(elapsed, 1), done, rss))
        recent = (done - rows_before) / max(1e-9, elapsed - before)
        memory = f", RSS {rss / 1e6:,.0f} MB" if rss else ""
        return (
            f"  {elapsed:6.0f} s  {done:>10,} rows committed ({100 * done / self.rows:4.1f}%), "
            f"{recent:,.0f} rows/s since the last line, {done / elapsed:,.0f} overall{memory}"
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def database_counts(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        run = connection.execute(
            "SELECT id, status, rows_read, inserted, updated, unchanged, quarantined, error, "
            "notes::text, extract(epoch FROM finished_at - started_at) "
            "FROM ingest_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        tables = {
            table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in (
                "credit_records", "record_events", "persons", "organizations",
                "quarantined_rows", "ingest_runs",
            )
        }  # fmt: skip
        sizes = {
            table: int(
                connection.execute(f"SELECT pg_total_relation_size('{table}')").fetchone()[0]  # type: ignore[index]
            )
            for table in ("credit_records", "record_events", "persons", "organizations")
        }
    keys = ("id", "status", "rows_read", "inserted", "updated", "unchanged", "quarantined")
    record = dict(zip(keys, run, strict=False)) if run else {}
    if run:
        record |= {
            "error": run[7],
            "notes": json.loads(run[8] or "{}"),
            "run_s": round(float(run[9] or 0), 2),
        }
    return {"run": record, "tables": tables, "bytes": sizes}


def expected_problems(data: CsvFile, counts: dict[str, Any], exit_code: int) -> list[str]:
    run, tables = counts["run"], counts["tables"]
    wanted = {
        ("exit code", exit_code): 0,
        ("run status", run.get("status")): "SUCCEEDED",
        ("rows read", run.get("rows_read")): data.rows,
        ("inserted", run.get("inserted")): data.distinct_case_numbers,
        ("updated", run.get("updated")): 0,
        ("unchanged", run.get("unchanged")): data.rows - data.distinct_case_numbers,
        ("quarantined", run.get("quarantined")): 0,
        ("credit_records", tables["credit_records"]): data.distinct_case_numbers,
        ("record_events", tables["record_events"]): data.distinct_case_numbers,
        ("persons", tables["persons"]): data.distinct_persons,
        ("organizations", tables["organizations"]): data.distinct_organizations,
        ("quarantined_rows", tables["quarantined_rows"]): 0,
    }
    return [
        f"{label}: {value!r}, expected {expected!r}"
        for (label, value), expected in wanted.items()
        if value != expected
    ]


def mb(value: float) -> str:
    return f"{value / 1e6:,.1f} MB"


def run_hub(
    args: argparse.Namespace, ws: Workspace, data: CsvFile, uscc: str, analyze: AutoAnalyze | None
) -> ChildRun:
    busy = wait_for_quiet(args.wait_quiet)
    if busy is not None and busy >= 20:
        print(f"  note: the machine is still {busy:.0f}% busy with other work", flush=True)
    _checkpoint(ws.dsn)
    command = hub_command(uscc, data.path, args.checkpoint_every)
    print(f"hub: {shlex.join(command)}", flush=True)
    progress = ws.progress = ProgressReader(ws.dsn, data.rows)
    try:
        return run_child(
            command, hub_env(ws, ws.url), ws.child, ws.work_dir,
            name="hub-sync", timeout=args.timeout, progress=progress, every=args.progress_every,
            tick=analyze,
        )  # fmt: skip
    finally:
        progress.close()


def _checkpoint(dsn: str) -> None:
    """Measurements start with no dirty buffers pending (PostgreSQL's own CHECKPOINT)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("CHECKPOINT")


def postgres_settings(dsn: str) -> dict[str, str]:
    """The settings that bear on the figures, as pg_settings has them (sizes in its units:
    shared_buffers in 8 kB pages, max_wal_size in MB, naptime in seconds)."""
    names = [
        "server_version", "shared_buffers", "synchronous_commit", "max_wal_size", "wal_level",
        "autovacuum", "autovacuum_naptime", "autovacuum_analyze_threshold",
        "autovacuum_analyze_scale_factor",
    ]  # fmt: skip
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (names,)
        ).fetchall()
    return {str(name): str(setting) for name, setting in rows}


def auto_analyze(
    args: argparse.Namespace, dsn: str, settings: dict[str, str]
) -> AutoAnalyze | None:
    """The bench's stand-in for autovacuum's ANALYZE, when the server's own is off."""
    if args.autoanalyze == "off" or settings.get("autovacuum") == "on":
        return None
    return AutoAnalyze(dsn, settings)


def profile(
    args: argparse.Namespace, ws: Workspace, uscc: str, settings: dict[str, str]
) -> dict[str, Any] | None:
    """The same kind of ingest on a --profile-rows file, from a fresh database of its own,
    with py-spy starting the hub as its child."""
    py_spy = ensure_py_spy()
    if py_spy is None:
        print("py-spy unavailable: no profile", flush=True)
        return None
    name = args.database + "_profile"
    url = with_database(ws.admin_url, name).replace("postgresql://", "postgresql+asyncpg://", 1)
    print(f"\nprofile: {args.profile_rows:,} rows into a fresh database {name}", flush=True)
    ws.databases.append(name)
    asyncio.run(fresh_database(ws.admin_url, name, url, uscc))
    persons = max(1, args.profile_rows * 3 // 10)
    data = write_csv(ws.work_dir / "profile.csv", args.profile_rows, persons, args.seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "ingest_profile.txt"
    out.unlink(missing_ok=True)
    command = [
        py_spy, "record", "--rate", str(RATE), "--subprocesses", "--format", "raw",
        "--output", str(out), "--",
        *hub_command(uscc, data.path, args.checkpoint_every),
    ]  # fmt: skip
    print(f"  {shlex.join(command)}", flush=True)
    wait_for_quiet(args.wait_quiet)
    dsn = with_database(ws.admin_url, name)
    analyze = auto_analyze(args, dsn, settings)
    phase = (lambda: analyze.phase) if analyze else None
    with BackendSampler(dsn, name, phase) as backend:
        run = run_child(
            command, hub_env(ws, url), ws.child, ws.work_dir,
            name="hub-sync-profile", timeout=args.timeout, tick=analyze,
        )  # fmt: skip
    counts = database_counts(dsn)
    problems = expected_problems(data, counts, run.exit_code)
    asyncio.run(recreate_database(ws.admin_url, name, drop_only=True))
    ws.databases.remove(name)
    if not out.exists():
        print(f"py-spy wrote no profile (exit {run.exit_code}):\n{run.tail()}", flush=True)
        return None
    summary = summarise(out.read_text(errors="replace"))
    summary |= {
        "postgres": backend.summary(),
        "analyze": analyze.runs if analyze else None,
        "rows": data.rows,
        "wall_s_under_profiler": round(run.wall_s, 1),
        "rows_per_s_under_profiler": round(data.rows / run.wall_s),
        "problems": problems,
        "collapsed_stacks": str(out.relative_to(ROOT)),
    }
    return summary


def run(args: argparse.Namespace, argv: list[str], ws: Workspace, started: float) -> None:
    uscc = court_uscc()
    agency_id, postgres, analyze = prepare(args, ws, uscc)
    data = write_csv(ws.work_dir / "defaulters.csv", args.rows, args.persons, args.seed)
    describe_csv(args, data)

    # 1. The hub, as an operator runs it.
    hub = run_hub(args, ws, data, uscc, analyze)
    print(f"  exit code {hub.exit_code} after {hub.wall_s:.1f} s; its output:", flush=True)
    print("    " + hub.tail().replace("\n", "\n    "), flush=True)
    counts = database_counts(ws.dsn)
    problems = expected_problems(data, counts, hub.exit_code)
    if hub.exit_code != 0:
        raise RuntimeError(f"hub sync failed (exit {hub.exit_code}): {problems}")

    # 2. The floor: COPY of the same file, equivalent table first, then the bare one.
    copy, plain = copy_floors(args, ws, data, agency_id, problems)
    example = asyncio.run(sample_row(ws.dsn))
    ratio = hub.wall_s / copy.seconds
    print_report(data, hub, counts, copy, plain, problems, ratio)

    summary = None
    if args.profile == "always" or (args.profile == "auto" and ratio > TARGET_RATIO):
        summary = profile(args, ws, uscc, postgres)
        if summary:
            what = (
                f"{summary['rows']:,} rows in {summary['wall_s_under_profiler']:.1f} s under "
                f"the profiler ({summary['collapsed_stacks']})"
            )
            print_summary(summary, what)
            for problem in summary["problems"]:
                print(f"  WARNING (profile run): {problem}")

    measured = Measured(data, hub, counts, copy, plain, example, ratio, problems, summary)
    document = results_document(args, argv, ws, postgres, analyze, measured, started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "ingest.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults: {path}")


def prepare(
    args: argparse.Namespace, ws: Workspace, uscc: str
) -> tuple[int, dict[str, str], AutoAnalyze | None]:
    """A fresh database with the court registered; the server's settings; the bench's
    stand-in for autovacuum's ANALYZE when the server's own is off."""
    init_keys(ws.keys_dir)
    print(f"database {args.database}: create, migrate, register the court {uscc}", flush=True)
    ws.databases.append(args.database)
    agency_id = asyncio.run(fresh_database(ws.admin_url, args.database, ws.url, uscc))
    postgres = postgres_settings(ws.dsn)
    analyze = auto_analyze(args, ws.dsn, postgres)
    if analyze:
        print(
            f"NOTE: this server runs with autovacuum=off: the bench runs ANALYZE during the hub's "
            f"run as autovacuum would (every {analyze.naptime:g} s, tables with more than "
            f"{analyze.threshold:g} + {analyze.scale:g} × rows changed); --autoanalyze off "
            "leaves them without statistics",
            flush=True,
        )
    print(
        f"CSV: {args.rows:,} rows, GBK, unmasked, persons drawn from {args.persons:,}", flush=True
    )
    return agency_id, postgres, analyze


def describe_csv(args: argparse.Namespace, data: CsvFile) -> None:
    print(
        f"  written in {data.seconds:.1f} s (not measured): {mb(data.bytes)}, "
        f"{data.person_rows:,} person rows ({data.distinct_persons:,} distinct persons), "
        f"{data.organization_rows:,} organization rows ({data.distinct_organizations:,} "
        f"distinct), {data.distinct_case_numbers:,} distinct 案号",
        flush=True,
    )


def copy_floors(
    args: argparse.Namespace, ws: Workspace, data: CsvFile, agency_id: int, problems: list[str]
) -> tuple[CopyRun, CopyRun]:
    wait_for_quiet(args.wait_quiet)
    print("COPY: the same file into the equivalent indexed table", flush=True)
    copy = asyncio.run(copy_file(ws.dsn, data.path, agency_id, equivalent=True))
    print(f"  {copy.rows:,} rows in {copy.seconds:.2f} s", flush=True)
    print("COPY: the same file into the plain table (the 15 columns only)", flush=True)
    plain = asyncio.run(copy_file(ws.dsn, data.path, agency_id, equivalent=False))
    print(f"  {plain.rows:,} rows in {plain.seconds:.2f} s", flush=True)
    for table in (copy, plain):
        if table.rows != data.rows:
            problems.append(f"{table.table}: {table.rows:,} rows, expected {data.rows:,}")
    return copy, plain


@dataclass(frozen=True)
class Measured:
    data: CsvFile
    hub: ChildRun
    counts: dict[str, Any]
    copy: CopyRun
    plain: CopyRun
    example: Any
    ratio: float
    problems: list[str]
    profile: dict[str, Any] | None


def results_document(
    args: argparse.Namespace,
    argv: list[str],
    ws: Workspace,
    postgres: dict[str, str],
    analyze: AutoAnalyze | None,
    m: Measured,
    started: float,
) -> dict[str, Any]:
    """bench/results/ingest.json: the figures, the machine, the targets."""
    data, hub, copy, plain = m.data, m.hub, m.copy, m.plain
    return {
        "benchmark": "ingest",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": shlex.join(["python", "-m", "bench.ingest", *argv]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgres": postgres,
        },
        "data": asdict(data) | {"path": data.path.name, "encoding": "GBK", "masked": False},
        "hub": hub_document(args, ws, postgres, analyze, m),
        "copy": asdict(copy) | {"rows_per_s": round(copy.rows / copy.seconds, 1)},
        "copy_plain": asdict(plain) | {"rows_per_s": round(plain.rows / plain.seconds, 1)},
        "copy_example_row": m.example,
        "ratio": round(m.ratio, 2),
        "ratio_to_plain_copy": round(hub.wall_s / plain.seconds, 2),
        "targets": {
            "ratio": {
                "target": f"<= {TARGET_RATIO:g}",
                "value": round(m.ratio, 2),
                "pass": m.ratio <= TARGET_RATIO,
            },
            "peak_rss_bytes": {
                "target": f"< {TARGET_RSS_BYTES} (the hub and its reader together)",
                "value": hub.total_peak_rss_bytes,
                "pass": hub.total_peak_rss_bytes < TARGET_RSS_BYTES,
            },
        },
        "problems": m.problems,
        "profile": m.profile,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def hub_document(
    args: argparse.Namespace,
    ws: Workspace,
    postgres: dict[str, str],
    analyze: AutoAnalyze | None,
    m: Measured,
) -> dict[str, Any]:
    data, hub = m.data, m.hub
    return {
        "command": shlex.join(["hub", *hub.command[1:]]).replace(str(data.path), data.path.name),
        "checkpoint_every": args.checkpoint_every,
        "exit_code": hub.exit_code,
        "wall_s": round(hub.wall_s, 2),
        "rows_per_s": round(data.rows / hub.wall_s, 1),
        "peak_rss_bytes": hub.peak_rss_bytes,
        "vmhwm_bytes": hub.vmhwm_bytes,
        "rss_method": RSS_METHOD,
        "user_cpu_s": round(hub.user_cpu_s, 1),
        "helper_cpu_s": round(hub.helper_cpu_s, 1),
        "helper_peak_rss_bytes": hub.helper_peak_rss_bytes,
        "system_cpu_s": round(hub.system_cpu_s, 1),
        "postgres_cpu_s": round(hub.postgres_cpu_s, 1),
        "machine_busy_pct": round(hub.machine_busy_pct, 1),
        "progress": [
            {"s": s, "rows_committed": n, "rss_bytes": rss}
            for s, n, rss in (ws.progress.samples if ws.progress else [])
        ],
        "analyze": {
            "server_autovacuum": postgres.get("autovacuum"),
            "emulated_by_bench": analyze is not None,
            "runs": analyze.runs if analyze else [],
        },
        **m.counts,
    }


def print_report(
    data: CsvFile,
    hub: ChildRun,
    counts: dict[str, Any],
    copy: CopyRun,
    plain: CopyRun,
    problems: list[str],
    ratio: float,
) -> None:
    run, tables = counts["run"], counts["tables"]
    cpu = hub.user_cpu_s + hub.system_cpu_s
    print("\n" + "=" * WIDTH)
    print(f"Ingest of {data.rows:,} court rows (CSV, GBK, {mb(data.bytes)}) into PostgreSQL")
    print("-" * WIDTH)
    print(f"{'':<30}{'wall s':>10}{'rows/s':>12}{'peak RSS':>14}")
    print(f"{'hub sync court':<30}{hub.wall_s:>10.1f}{data.rows / hub.wall_s:>12,.0f}"
          f"{mb(hub.peak_rss_bytes):>14}")  # fmt: skip
    for label, table in (("COPY, equivalent table", copy), ("COPY, plain table", plain)):
        print(f"{label:<30}{table.seconds:>10.1f}{table.rows / table.seconds:>12,.0f}")
    print("-" * WIDTH)
    print(
        f"hub run record: {run.get('status')}, read {run.get('rows_read', 0):,}, inserted "
        f"{run.get('inserted', 0):,}, updated {run.get('updated', 0):,}, unchanged "
        f"{run.get('unchanged', 0):,}, quarantined {run.get('quarantined', 0):,} "
        f"(started → finished {run.get('run_s', 0):.1f} s)"
    )
    print(
        "database after the hub: "
        + ", ".join(f"{table} {n:,}" for table, n in tables.items() if table != "ingest_runs")
    )
    print(
        f"CPU during the hub run: hub {cpu:.1f} s ({hub.system_cpu_s:.1f} s kernel) + its "
        f"reader ≈{hub.helper_cpu_s:.1f} s, PostgreSQL ≈{hub.postgres_cpu_s:.1f} s, machine "
        f"{hub.machine_busy_pct:.0f}% busy ({os.cpu_count()} cores)"
    )
    hwm = f"; VmHWM polled from /proc: {mb(hub.vmhwm_bytes)}" if hub.vmhwm_bytes else ""
    print(f"peak RSS: the hub process's ru_maxrss (wait4, in a small launcher){hwm}")
    print(
        "its reader process and the fork server it comes from (polled from /proc every "
        f"second): CPU ≈{hub.helper_cpu_s:.1f} s, peak RSS {mb(hub.helper_peak_rss_bytes)}"
    )
    print("-" * WIDTH)
    print(f"ratio hub / COPY (equivalent table):  {ratio:.2f}")
    print(f"ratio hub / COPY (plain table):       {hub.wall_s / plain.seconds:.2f}")
    ratio_verdict = pass_or_miss(ratio <= TARGET_RATIO)
    rss_verdict = pass_or_miss(hub.total_peak_rss_bytes < TARGET_RSS_BYTES)
    print(f"target ratio <= {TARGET_RATIO:g}:               {ratio_verdict}  ({ratio:.2f})")
    rss_target = f"target peak RSS < {TARGET_RSS_BYTES / 1e6:.0f} MB:"
    print(f"{rss_target:<38}{rss_verdict}  ({mb(hub.total_peak_rss_bytes)}, hub and reader)")
    for problem in problems:
        print(f"  WARNING: {problem}")
    print("=" * WIDTH, flush=True)


def clean_up(args: argparse.Namespace, ws: Workspace) -> None:
    """Also after Ctrl-C or a failure: the child stopped, databases dropped (the measured
    one kept with --keep-db), temporary files removed."""
    ws.child.stop()
    drop_databases_and_files(
        ws.admin_url,
        list(ws.databases),
        ws.work_dir,
        kept=args.database if args.keep_db else None,
        kept_dsn=ws.dsn,
        keys_dir=ws.keys_dir,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    # Also SIGINT: a shell starts background jobs with it ignored, and Ctrl-C must clean up.
    signal.signal(signal.SIGTERM, raise_interrupt)
    signal.signal(signal.SIGINT, raise_interrupt)
    admin_url, dsn, url = bench_urls(args.admin_url, args.database)
    ws = Workspace(
        admin_url=admin_url,
        dsn=dsn,
        url=url,
        work_dir=Path(tempfile.mkdtemp(prefix="hub-bench-ingest-")),
    )
    try:
        run(args, argv if argv is not None else sys.argv[1:], ws, started)
    finally:
        clean_up(args, ws)
    print(f"wall time: {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
