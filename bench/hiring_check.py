"""HIRING check throughput and latency over HTTP, against a bare-Starlette baseline; and the
wall time of a 10,000-subject AWARD batch check.

    .venv/bin/python -m bench.hiring_check [--records 1000000] [--persons 300000]
        [--duration 15] [--concurrency 32] [--keep-db] [--profile SECONDS]
        [--batch-size 10000] [--skip-batch] [--hub-workers N]

Creates the PostgreSQL database `hub_bench` (dropped first if it exists), migrates it, COPYs
the generated data set, starts the hub and the bare baseline (bench/bare_app.py) under
uvicorn, and drives each in turn (hub first, then bare) with wrk; then sends the batch to
the hub. See bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import RESULTS, dataset
from bench.batch import Batch, BatchRequest, measure_batch
from bench.cpu import CpuMeter, wait_for_quiet
from bench.database import (
    bench_urls,
    check_rows,
    create_check_client,
    drop_databases_and_files,
    raise_interrupt,
    recreate_database,
    server_version,
)
from bench.floor import measure_floor
from bench.loadgen import (
    PLACEHOLDER,
    SHARE_WITH_RECORDS,
    LoadGenerator,
    Run,
    Target,
    ensure_wrk,
    sample_ids,
    to_run,
)
from bench.profiling import ensure_py_spy, print_profile, profile_call, profile_hub
from bench.report import print_anchors, print_report, results_document, write_results
from bench.servers import Server, print_parity, sql_parity
from bench.soak import percentile_ms, soak
from hub.auth.scopes import CHECK_AWARD, CHECK_HIRING
from hub.checks.service import MAX_BATCH
from hub.db.migrate import upgrade
from hub.keys import init_keys, load_keys
from hub.settings import Settings
from hub.subjects.pii import PiiCipher

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"

# What an HR system asks: the verdict and the findings with their legal basis
# (the same selection as tests/web/test_end_to_end.py).
CHECK_QUERY = """
query Check($input: CheckInput!) {
  check(input: $input) {
    id verdict rulesetVersion checkedAt
    findings { rule { id legalBasis } record { sourceRef sanctionKind } restrictsUntil disputed }
  }
}"""
REFERENCE = "江州2026年考试录用公务员公告第1号"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.hiring_check", description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per server")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per server")
    parser.add_argument("--keep-db", action="store_true", help="keep the database (and keys)")
    parser.add_argument(
        "--reuse-db",
        type=Path,
        metavar="KEYS_DIR",
        help="measure on the database --database as an earlier --keep-db run left it (its "
        "keys directory, as that run printed): no load, no lifecycle run — a 10,000,000-record "
        "data set takes ~13 minutes to build; the database is left in place",
    )
    parser.add_argument("--database", default="hub_bench")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HUB_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL),
        help="any database on the server, to CREATE/DROP the bench database from",
    )
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--sample", type=int, default=10_000, help="distinct request bodies")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="before each server's run, wait up to SECONDS for the machine to be idle",
    )
    parser.add_argument("--load-generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--profile",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="after measuring, profile the hub with py-spy for SECONDS under the same load "
        "(and during one batch request)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=MAX_BATCH,
        help=f"subjects in the batch check (at most {MAX_BATCH:,})",
    )
    parser.add_argument("--skip-batch", action="store_true", help="no batch measurement")
    parser.add_argument(
        "--open-loop",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="after the closed-loop runs, offer single checks to the hub on a fixed schedule at "
        "FRACTION of its measured req/s for --open-loop-minutes, latency counted from each "
        "request's due time (issue 14: p99 at half the maximum, --open-loop 0.5)",
    )
    parser.add_argument("--open-loop-minutes", type=int, default=1)
    parser.add_argument(
        "--hub-workers",
        type=int,
        default=1,
        metavar="N",
        help="uvicorn worker processes of the hub (`hub serve --workers N`); its CPU figures "
        "sum the workers",
    )
    args = parser.parse_args(argv)
    if min(args.persons, args.records, args.concurrency, args.sample) < 1 or args.duration <= 0:
        parser.error("--persons, --records, --sample, --duration, --concurrency must be positive")
    if args.hub_workers < 1:
        parser.error("--hub-workers must be at least 1")
    if args.hub_workers > 1 and args.profile > 0:
        parser.error("--profile samples one process: use it with --hub-workers 1")
    if not 0 <= args.open_loop <= 1 or args.open_loop_minutes < 1:
        parser.error("--open-loop must lie in [0, 1] and --open-loop-minutes be at least 1")
    if not 1 <= args.batch_size <= MAX_BATCH:
        parser.error(f"--batch-size must be between 1 and {MAX_BATCH:,}")
    return args


@dataclass
class Workspace:
    """Where a run keeps its state, and what the clean-up has to undo."""

    admin_url: str
    dsn: str  # the bench database, for asyncpg
    url: str  # the same, for SQLAlchemy
    work_dir: Path
    servers: list[Server] = field(default_factory=list)
    created_db: bool = False

    @property
    def keys_dir(self) -> Path:
        return self.work_dir / "keys"


def lean_target(lean: Server, token: str) -> Target:
    body = {"idNumber": PLACEHOLDER, "reference": REFERENCE}
    return Target(
        "lean",
        lean.url + "/check",
        json.dumps(body, ensure_ascii=False),
        {"Authorization": f"Bearer {token}"},
    )


def targets(hub: Server, bare: Server, token: str) -> tuple[Target, Target]:
    subject = {"idNumber": PLACEHOLDER}
    check_input = {"purpose": "HIRING", "subject": subject, "reference": REFERENCE}
    hub_body = {"query": CHECK_QUERY, "variables": {"input": check_input}}
    bare_body = {"idNumber": PLACEHOLDER, "reference": REFERENCE}
    return (
        Target(
            "hub",
            hub.url + "/graphql",
            json.dumps(hub_body, ensure_ascii=False),
            {"Authorization": f"Bearer {token}"},
        ),
        Target("bare", bare.url + "/check", json.dumps(bare_body, ensure_ascii=False), {}),
    )


def verify_lean(lean: Target, id_number: str) -> str:
    answer = httpx.post(
        lean.url,
        content=lean.template.replace(PLACEHOLDER, id_number).encode(),
        headers={**lean.headers, "Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return f"lean {answer.status_code} {answer.json()}"


def verify(hub: Target, bare: Target, id_number: str) -> str:
    """One request to each before measuring: the hub answers a verdict, the bare one 200."""

    def post(target: Target) -> httpx.Response:
        return httpx.post(
            target.url,
            content=target.template.replace(PLACEHOLDER, id_number).encode(),
            headers={**target.headers, "Content-Type": "application/json"},
            timeout=30,
        )

    answer = post(hub)
    document = answer.json()
    assert answer.status_code == 200, answer.text
    assert "errors" not in document, answer.text
    assert "verdict" in document["data"]["check"], answer.text
    bare_answer = post(bare)
    assert bare_answer.status_code == 200, bare_answer.text
    check = document["data"]["check"]
    return (
        f"hub verdict {check['verdict']} ({len(check['findings'])} findings), "
        f"bare {bare_answer.status_code} {bare_answer.json()}"
    )


def token(hub: Server, client_id: str, secret: str, scope: str) -> str:
    response = httpx.post(
        hub.url + "/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(client_id, secret),
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def choose_generator(args: argparse.Namespace, work_dir: Path, ids: list[str]) -> LoadGenerator:
    wrk = None
    if args.load_generator != "python":
        wrk = ensure_wrk()
        if wrk is None and args.load_generator == "wrk":
            raise RuntimeError("wrk unavailable and --load-generator wrk was asked for")
        if wrk is None:
            print("NOTE: wrk unavailable: falling back to the Python asyncio+httpx generator")
    return LoadGenerator(wrk, args.threads, work_dir, ids)


def measure(load: LoadGenerator, target: Target, server: Server, args: argparse.Namespace) -> Run:
    busy = wait_for_quiet(args.wait_quiet)
    if busy is not None and busy >= 20:
        print(f"  note: the machine is still {busy:.0f}% busy with other work", flush=True)
    print(f"{target.name}: warm-up {args.warmup:g}s, then {args.duration:g}s measured", flush=True)
    load.run(target, args.warmup, args.concurrency)
    with CpuMeter(server.process.pid) as meter:
        raw, text = load.run(target, args.duration, args.concurrency)
    run = to_run(target.name, raw)
    if meter.available:
        per_request = 1000 * meter.figures["server_cpu_s"] / max(1, run.requests)
        run.cpu = meter.figures | {"server_cpu_ms_per_request": round(per_request, 2)}
    if load.wrk:
        print("    " + text.strip().replace("\n", "\n    "), flush=True)
    return run


def load_data(args: argparse.Namespace, ws: Workspace) -> tuple[dataset.Dataset, str, str]:
    """Fresh database, real migrations, COPY, a client with check:hiring and check:award."""
    if args.reuse_db:
        return reuse_data(args, ws)
    init_keys(ws.keys_dir)
    pii = PiiCipher(load_keys(Settings(keys_dir=ws.keys_dir, env="production")).pii)
    print(f"database {args.database}: create, migrate, load", flush=True)
    asyncio.run(recreate_database(ws.admin_url, args.database))
    ws.created_db = True
    upgrade(ws.url)
    data = asyncio.run(
        dataset.load(ws.dsn, pii, persons=args.persons, records=args.records, seed=args.seed)
    )
    print(
        f"loaded {data.persons:,} persons ({data.with_records:,} with records) and "
        f"{data.records:,} credit records in {data.seconds:.1f}s",
        flush=True,
    )
    # The data set's old records end their publicity; noted now (as a starting hub would),
    # not by the hub's start-up run in the middle of the measurement.
    started = time.perf_counter()
    env = {**os.environ, "HUB_DATABASE_URL": ws.url, "HUB_KEYS_DIR": str(ws.keys_dir)}
    subprocess.run([sys.executable, "-c", "from hub.cli import main; main()", "lifecycle",
                    "run"], env=env, check=True, capture_output=True)  # fmt: skip
    print(f"hub lifecycle run: {time.perf_counter() - started:.1f}s", flush=True)
    # The run updated every ended record and wrote its event: settled again, or the serving
    # hub's own table care (autovacuum is off here) vacuums them in the middle of a run.
    asyncio.run(dataset.settle_after_lifecycle(ws.dsn))
    scopes = f"{CHECK_HIRING} {CHECK_AWARD}"
    client_id, secret = asyncio.run(create_check_client(ws.url, data.checking_agency_uscc, scopes))
    return data, client_id, secret


def reuse_data(args: argparse.Namespace, ws: Workspace) -> tuple[dataset.Dataset, str, str]:
    """The kept database as it is, read with a copy of its keys; a new check client."""
    shutil.copytree(args.reuse_db, ws.keys_dir)
    pii = PiiCipher(load_keys(Settings(keys_dir=ws.keys_dir, env="production")).pii)
    print(f"database {args.database}: reused as an earlier run left it", flush=True)
    upgrade(ws.url)  # a migration added since that run
    data = asyncio.run(dataset.reopen(ws.dsn, pii, max(args.sample, 20_000)))
    print(
        f"{data.persons:,} persons and {data.records:,} credit records; sampled "
        f"{len(data.id_numbers):,} persons ({data.with_records:,} with records)",
        flush=True,
    )
    scopes = f"{CHECK_HIRING} {CHECK_AWARD}"
    client_id, secret = asyncio.run(create_check_client(ws.url, data.checking_agency_uscc, scopes))
    return data, client_id, secret


def start_servers(
    ws: Workspace, client_id: str, workers: int = 1
) -> tuple[Server, Server, Server, dict[str, str]]:
    """The hub, the bare baseline and the lean endpoint, each its own uvicorn process."""
    env = {
        **os.environ,
        "HUB_DATABASE_URL": ws.url,
        "HUB_KEYS_DIR": str(ws.keys_dir),
        "HUB_ENV": "production",
        "HUB_TOKEN_LIFETIME": "3600",
        # One client drives 32 connections: the per-client rate limit would measure itself.
        "HUB_RATE_LIMIT": "off",
        "BENCH_CLIENT_ID": client_id,
        "PYTHONUNBUFFERED": "1",
    }
    hub = Server("hub", "hub.asgi:app", env, ws.work_dir, workers=workers)
    ws.servers.append(hub)
    hub.wait_ready()
    bare = Server("bare", "bench.bare_app:app", env, ws.work_dir)
    ws.servers.append(bare)
    bare.wait_ready()
    lean = Server("lean", "bench.lean_app:app", env, ws.work_dir)
    ws.servers.append(lean)
    lean.wait_ready()
    return hub, bare, lean, env


def profiles(
    args: argparse.Namespace,
    hub: Server,
    load: LoadGenerator,
    hub_target: Target,
    batch: BatchRequest | None,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """py-spy on the hub under the single-check load, then during one batch request."""
    if args.profile <= 0:
        return None, None
    py_spy = ensure_py_spy()
    if py_spy is None:
        print("py-spy unavailable: no profile")
        return None, None
    wait_for_quiet(args.wait_quiet)
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"hub: py-spy for {args.profile:g}s under the same load", flush=True)
    profile = profile_hub(
        py_spy, hub.process.pid, args.profile, load, hub_target, args.concurrency,
        RESULTS / "hub_profile.txt",
    )  # fmt: skip
    if batch is None:
        return profile, None
    wait_for_quiet(args.wait_quiet)
    print("hub: py-spy during one batch request", flush=True)
    out = RESULTS / "hub_batch_profile.txt"
    batch_profile = profile_call(py_spy, hub.process.pid, batch.send, out)
    return profile, batch_profile


def data_section(args: argparse.Namespace, data: Any) -> dict[str, Any]:
    return {
        "persons": data.persons,
        "persons_with_records": data.with_records,
        "records": data.records,
        "load_seconds": round(data.seconds, 1),
        "seed": args.seed,
    }


def run_batch(
    args: argparse.Namespace, data: Any, hub: Any, client_id: str, secret: str
) -> tuple[BatchRequest | None, Batch | None]:
    """The batch, against the same hub and database; distinct subjects where possible."""
    if args.skip_batch:
        return None, None
    request = BatchRequest(
        hub.url + "/graphql",
        token(hub, client_id, secret, CHECK_AWARD),
        sample_ids(data, args.batch_size, args.seed + 1, distinct=True),
    )
    return request, measure_batch(request, hub.process.pid, args.wait_quiet)


def print_profiles(
    args: argparse.Namespace, profile: dict | None, batch_profile: dict | None
) -> None:
    if profile:
        print_profile(profile, RESULTS / "hub_profile.txt")
    if batch_profile:
        what = f"one batch request of {args.batch_size:,} ({batch_profile['request_s']:.2f} s)"
        print_profile(batch_profile, RESULTS / "hub_batch_profile.txt", what)


def run(args: argparse.Namespace, argv: list[str], ws: Workspace, started: float) -> None:
    data, client_id, secret = load_data(args, ws)
    # The floor first, before the servers open their pools (PostgreSQL's 100 connections
    # would not hold pgbench's 32 beside them).
    wait_for_quiet(args.wait_quiet)
    floor = measure_floor(ws.dsn, client_id, args.concurrency, args.duration)
    hub, bare, lean, env = start_servers(ws, client_id, args.hub_workers)
    hiring_token = token(hub, client_id, secret, CHECK_HIRING)
    hub_target, bare_target = targets(hub, bare, hiring_token)
    lean_at = lean_target(lean, hiring_token)
    print("verified: " + verify(hub_target, bare_target, data.id_numbers[0]), flush=True)
    print("verified lean: " + verify_lean(lean_at, data.id_numbers[0]), flush=True)
    parity = asyncio.run(sql_parity(env, hub_target, bare_target, data.id_numbers[0]))
    print_parity(parity)

    # Load: hub first, then bare, each warmed up first.
    ids = sample_ids(data, args.sample, args.seed)
    load = choose_generator(args, ws.work_dir, ids)
    hub_run = measure(load, hub_target, hub, args)
    bare_run = measure(load, bare_target, bare, args)
    lean_run = measure(load, lean_at, lean, args)
    open_loop = run_open_loop(args, hub, hiring_token, ids, hub_run.rps)
    ratio = round(hub_run.rps / bare_run.rps, 3) if bare_run.rps else 0.0
    stored = asyncio.run(check_rows(ws.dsn))
    postgres = asyncio.run(server_version(ws.dsn))

    batch_request, batch = run_batch(args, data, hub, client_id, secret)
    profile, batch_profile = profiles(args, hub, load, hub_target, batch_request)

    print_report(hub_run, bare_run, ratio, load.description, args.concurrency, batch)
    print_anchors(hub_run, lean_run, floor)
    if open_loop:
        print_open_loop(open_loop)
    print(f"checks stored by the runs: {dict(sorted(stored.items()))}")
    print_profiles(args, profile, batch_profile)
    sections = {
        "data": data_section(args, data),
        "load": {
            "generator": load.description,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "order": "hub, then bare",
            "distinct_bodies": len(ids),
            "share_with_records": SHARE_WITH_RECORDS,
        },
        "sql_parity": parity,
        "lean": dataclasses.asdict(lean_run),
        "floor": dataclasses.asdict(floor) if floor else None,
        "checks_stored": dict(stored),
        "open_loop": open_loop,
        "profile": profile,
        "batch_profile": batch_profile,
    }
    document = results_document(
        argv=argv, started=started, postgres=postgres, sections=sections,
        hub=hub_run, bare=bare_run, ratio=ratio, batch=batch,
    )  # fmt: skip
    write_results(document)


class HiringChecks:
    """What `bench.soak.soak` offers: the HR system's query (as in the closed loop) for a
    person drawn from the sample each time."""

    def __init__(self, ids: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = ids
        self.cursor: str | None = None

    def next(self) -> tuple[str, dict[str, Any]]:
        check_input = {
            "purpose": "HIRING",
            "subject": {"idNumber": self.rng.choice(self.ids)},
            "reference": REFERENCE,
        }
        return "check", {"query": CHECK_QUERY, "variables": {"input": check_input}}


def run_open_loop(
    args: argparse.Namespace, hub: Server, hiring_token: str, ids: list[str], maximum: float
) -> dict[str, Any] | None:
    if not args.open_loop:
        return None
    rate = args.open_loop * maximum
    wait_for_quiet(args.wait_quiet)
    print(f"hub open loop: {rate:.0f} req/s offered ({args.open_loop:g} × {maximum:.0f}) for "
          f"{args.open_loop_minutes} min", flush=True)  # fmt: skip
    checks = HiringChecks(ids, args.seed)
    # This process is the load generator now: what it built so far (the data set's millions
    # of ID numbers at 10 M records) is frozen, or its collections stall the schedule (a
    # first 10 M run's generator sat at 100 % CPU while the hub idled at 40 %).
    gc.collect()
    gc.freeze()
    minutes = asyncio.run(soak(hub.url, hiring_token, checks, rate, args.open_loop_minutes))
    latencies = [t for minute in minutes for t in minute.latencies]
    return {
        "offered_rps": round(rate, 1),
        "fraction_of_maximum": args.open_loop,
        "requests": len(latencies),
        "p50_ms": round(percentile_ms(latencies, 0.5), 2),
        "p99_ms": round(percentile_ms(latencies, 0.99), 2),
        "errors_5xx": sum(minute.errors for minute in minutes),
    }


def print_open_loop(result: dict[str, Any]) -> None:
    verdict = "PASS" if result["p99_ms"] < 20 else "MISS"
    print(f"open loop: {result['offered_rps']:.0f} req/s offered "
          f"({result['fraction_of_maximum']:g} × the closed-loop maximum), "
          f"{result['requests']:,} checks, p50 {result['p50_ms']:.2f} ms, "
          f"p99 {result['p99_ms']:.2f} ms (target < 20 ms: {verdict}), "
          f"5xx {result['errors_5xx']}")  # fmt: skip


def clean_up(args: argparse.Namespace, ws: Workspace) -> None:
    """Also after Ctrl-C or a failure: servers stopped, database dropped unless kept."""
    for server in reversed(ws.servers):
        server.stop()
    drop_databases_and_files(
        ws.admin_url,
        [args.database] if ws.created_db else [],
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
        work_dir=Path(tempfile.mkdtemp(prefix="hub-bench-")),
    )
    try:
        run(args, argv if argv is not None else sys.argv[1:], ws, started)
    finally:
        clean_up(args, ws)
    print(f"wall time: {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
