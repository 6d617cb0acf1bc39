"""HIRING check throughput and latency over HTTP, against a bare-Starlette baseline.

    .venv/bin/python -m bench.hiring_check [--records 1000000] [--persons 300000]
        [--duration 15] [--concurrency 32] [--keep-db] [--profile SECONDS]

Creates the PostgreSQL database `hub_bench` (dropped first if it exists), migrates it, COPYs
the generated data set, starts the hub and the bare baseline (bench/bare_app.py) under
uvicorn, and drives each in turn (hub first, then bare) with wrk. See bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import importlib
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from bench import dataset
from hub.auth.scopes import CHECK_HIRING
from hub.auth.service import add_client
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.keys import init_keys, load_keys
from hub.settings import Settings
from hub.subjects.pii import PiiCipher

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
HOST = "127.0.0.1"

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
PLACEHOLDER = "@@ID_NUMBER@@"

TARGET_P99_MS = 20.0
TARGET_RATIO = 0.5
SHARE_WITH_RECORDS = 0.7


@dataclass
class Run:
    name: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    non_2xx: int
    socket_errors: int
    body_errors: int
    cpu: dict[str, float] | None = None

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors + self.body_errors


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """A uvicorn subprocess in its own process group, with its output in a log file."""

    def __init__(self, name: str, app: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        command = [
            sys.executable, "-m", "uvicorn", app,
            "--host", HOST, "--port", str(self.port), "--workers", "1",
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"{self.name} exited with {code}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# --- CPU accounting ------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_times(pid: int) -> tuple[int, int]:
    """(user, system) ticks of a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0, 0
    return int(fields[11]), int(fields[12])


def _proc_ticks(pid: int) -> int:
    return sum(_proc_times(pid))


def _postgres_ticks() -> dict[int, int]:
    ticks = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    ticks[int(entry.name)] = _proc_ticks(int(entry.name))
            except OSError:
                continue
    return ticks


def _machine_ticks() -> tuple[int, int, int]:
    """(all, idle incl. iowait, interrupt handling) ticks of /proc/stat's cpu line."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values[:8]), values[3] + values[4], values[5] + values[6]


def wait_for_quiet(limit: float, threshold: float = 20.0) -> float | None:
    """Wait (up to `limit` s) for a 1-second window in which the machine is < threshold %
    busy, so other work on a shared machine does not skew a run. Returns the last busy %."""
    if limit <= 0 or not Path("/proc/stat").exists():
        return None
    deadline = time.monotonic() + limit
    while True:
        total, idle, _ = _machine_ticks()
        time.sleep(1.0)
        total2, idle2, _ = _machine_ticks()
        busy = 100 * (1 - (idle2 - idle) / max(1, total2 - total))
        if busy < threshold or time.monotonic() >= deadline:
            return round(busy, 1)


class CpuMeter:
    """Where the machine's CPU went during a run: the server process, PostgreSQL, the load
    generator, and everything else (other work on a shared machine). Linux /proc only."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.available = Path("/proc/stat").exists()

    def __enter__(self) -> CpuMeter:
        if self.available:
            self._server_user, self._server_system = _proc_times(self.server_pid)
            self._postgres = _postgres_ticks()
            self._children = os.times().children_user + os.times().children_system
            self._total, self._idle, self._irq = _machine_ticks()
            self._started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        if not self.available:
            return
        seconds = time.perf_counter() - self._started
        total, idle, irq = _machine_ticks()
        capacity = (total - self._total) / _TICK  # CPU-seconds the machine had
        busy = capacity - (idle - self._idle) / _TICK
        user, system = _proc_times(self.server_pid)
        server_system = (system - self._server_system) / _TICK
        server = (user - self._server_user) / _TICK + server_system
        postgres = sum(t - self._postgres.get(p, 0) for p, t in _postgres_ticks().items()) / _TICK
        children = os.times().children_user + os.times().children_system - self._children
        interrupts = (irq - self._irq) / _TICK  # loopback networking lands here (softirq)
        self.seconds = seconds
        self.figures = {
            "server_cpu_s": round(server, 2),
            # Kernel time of the server: mostly socket I/O; on loopback the sender also pays
            # for delivering to the receiver.
            "server_system_cpu_s": round(server_system, 2),
            "postgres_cpu_s": round(postgres, 2),
            "loadgen_cpu_s": round(children, 2),
            "irq_cpu_s": round(interrupts, 2),
            "other_cpu_s": round(max(0.0, busy - server - postgres - children - interrupts), 2),
            "machine_busy_pct": round(100 * busy / capacity, 1) if capacity else 0.0,
        }


# --- database ------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def create_check_client(url: str, agency_uscc: str) -> tuple[str, str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            issued = await add_client(
                session, name="组织部招录系统", agency_uscc=agency_uscc, scopes=CHECK_HIRING
            )
            await session.commit()
            return issued.client.id, issued.secret
    finally:
        await engine.dispose()


async def check_rows(dsn: str) -> Counter[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT ruleset_version = 'bare' AS bare, verdict, count(*) AS n FROM checks "
            "GROUP BY 1, 2"
        )
    finally:
        await connection.close()
    return Counter({("bare:" if r["bare"] else "hub:") + r["verdict"]: int(r["n"]) for r in rows})


async def server_version(dsn: str) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


# --- load ----------------------------------------------------------------------------------


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found; installing the Debian package wrk …", flush=True)
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        if subprocess.run(install, env=env, capture_output=True, timeout=300).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=300)
            subprocess.run(install, env=env, capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  could not install wrk: {exc}", flush=True)
    return shutil.which("wrk")


def lua_string(text: str) -> str:
    level = "=" * 3
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


WRK_SCRIPT = """
local ids = {%(ids)s}
local prefix = %(prefix)s
local suffix = %(suffix)s
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for k, id in ipairs(ids) do bodies[k] = prefix .. id .. suffix end
  n = #bodies
  i = (offset or 0) %% n
  body_errors = 0
end

function request()
  i = i %% n + 1
  return wrk.format(nil, nil, nil, bodies[i])
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"errors"', 1, true) then
    body_errors = body_errors + 1
  end
end

function done(summary, latency, requests)
  local body_errors_total = 0
  for _, t in ipairs(threads) do
    body_errors_total = body_errors_total + (t:get("body_errors") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "errors_connect": %%d, "errors_read": %%d, ' ..
    '"errors_write": %%d, "errors_status": %%d, "errors_timeout": %%d, "body_errors": %%d, ' ..
    '"p50_us": %%d, "p75_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"mean_us": %%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    body_errors_total, latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class Target:
    name: str
    url: str
    template: str  # a request body with PLACEHOLDER where the ID number goes
    headers: dict[str, str]


class LoadGenerator:
    def __init__(self, wrk: str | None, threads: int, work_dir: Path, ids: list[str]) -> None:
        self.wrk = wrk
        self.threads = threads
        self.work_dir = work_dir
        self.ids = ids

    @property
    def description(self) -> str:
        if self.wrk:
            return f"wrk ({self.threads} threads, closed loop, keep-alive)"
        return "Python asyncio+httpx load generator (bench/pyload.py, not wrk)"

    def run(self, target: Target, duration: float, concurrency: int) -> tuple[dict[str, Any], str]:
        if self.wrk:
            return self._wrk(target, duration, concurrency)
        return self._python(target, duration, concurrency)

    def _wrk(self, target: Target, duration: float, concurrency: int) -> tuple[dict[str, Any], str]:
        prefix, suffix = target.template.split(PLACEHOLDER)
        auth = "".join(
            f"wrk.headers[{json.dumps(k)}] = {lua_string(v)}\n" for k, v in target.headers.items()
        )
        script = self.work_dir / f"{target.name}.lua"
        script.write_text(
            WRK_SCRIPT
            % {
                "ids": ",".join(f'"{i}"' for i in self.ids),
                "prefix": lua_string(prefix),
                "suffix": lua_string(suffix),
                "auth": auth,
            },
            encoding="utf-8",
        )
        threads = max(1, min(self.threads, concurrency))
        command = [
            self.wrk, "-t", str(threads), "-c", str(concurrency), "-d", f"{math.ceil(duration)}s",
            "--timeout", "5s", "--latency", "-s", str(script), target.url,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
        return self._parse(done.stdout, done.stderr), done.stdout

    def _python(
        self, target: Target, duration: float, concurrency: int
    ) -> tuple[dict[str, Any], str]:
        bodies = self.work_dir / f"{target.name}-bodies.json"
        bodies.write_text(
            json.dumps([target.template.replace(PLACEHOLDER, i) for i in self.ids]),
            encoding="utf-8",
        )
        command = [
            sys.executable, "-m", "bench.pyload", target.url, str(bodies),
            "--duration", str(duration), "--concurrency", str(concurrency),
            "--header", "Content-Type: application/json",
            *(x for k, v in target.headers.items() for x in ("--header", f"{k}: {v}")),
        ]  # fmt: skip
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=duration + 60
        )
        return self._parse(done.stdout, done.stderr), done.stdout

    @staticmethod
    def _parse(stdout: str, stderr: str) -> dict[str, Any]:
        match = re.search(r"^BENCH (\{.*\})$", stdout, re.MULTILINE)
        if not match:
            raise RuntimeError(f"load generator gave no result:\n{stdout}\n{stderr}")
        return dict(json.loads(match.group(1)))


def to_run(name: str, raw: dict[str, Any]) -> Run:
    seconds = raw["duration_us"] / 1e6
    return Run(
        name=name,
        requests=int(raw["requests"]),
        seconds=round(seconds, 3),
        rps=round(raw["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=round(raw["p50_us"] / 1000, 2),
        p75_ms=round(raw["p75_us"] / 1000, 2),
        p90_ms=round(raw["p90_us"] / 1000, 2),
        p99_ms=round(raw["p99_us"] / 1000, 2),
        max_ms=round(raw["max_us"] / 1000, 2),
        mean_ms=round(raw["mean_us"] / 1000, 2),
        non_2xx=int(raw["errors_status"]),
        socket_errors=int(
            raw["errors_connect"] + raw["errors_read"] + raw["errors_write"] + raw["errors_timeout"]
        ),
        body_errors=int(raw["body_errors"]),
    )


# --- profile -------------------------------------------------------------------------------


def ensure_py_spy() -> str | None:
    candidate = Path(sys.executable).parent / "py-spy"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("py-spy")
    if found:
        return found
    print("py-spy not found; pip-installing it into this environment …", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "py-spy"], capture_output=True, timeout=300
    )
    return str(candidate) if candidate.exists() else shutil.which("py-spy")


_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::\d+)?\)$")
# Inclusive time is ranked for the hub's own functions and for the ORM session calls that
# root the greenlet stacks (each is one statement, the flush or the commit).
_INCLUSIVE = ("(hub/", "(schema/", "(sqlalchemy/orm/session.py)")
# A thread-pool worker waiting for work (left by the token endpoint) is idle, not busy.
_IDLE_LEAVES = ("_worker (stdlib/concurrent/futures/thread.py)",)
_PACKAGES = {
    "asyncpg", "sqlalchemy", "strawberry", "graphql", "joserfc", "cryptography", "starlette",
    "uvicorn", "hub", "schema", "bench", "greenlet", "uvloop", "httptools", "orjson",
    "anyio", "click",
}  # fmt: skip
# Where a sample's innermost frame lives → the layer it is charged to.
_LAYERS = (
    ("asyncpg/", "asyncpg (driver, incl. its C protocol and socket writes)"),
    ("sqlalchemy/orm/", "SQLAlchemy ORM"),
    ("sqlalchemy/", "SQLAlchemy core/engine/pool + greenlet bridge"),
    ("strawberry/", "Strawberry"),
    ("graphql/", "graphql-core (parse/validate/execute)"),
    ("joserfc/", "JWT verification (joserfc/cryptography)"),
    ("cryptography/", "JWT verification (joserfc/cryptography)"),
    ("starlette/", "Starlette"),
    ("uvicorn/", "uvicorn"),
    ("hub/", "hub code"),
    ("schema/", "hub schema code"),
    ("asyncio/", "event loop (uvloop/asyncio, C callbacks)"),
    ("stdlib/", "Python stdlib (weakref, uuid, json, typing, dataclasses …)"),
)


def _frame_key(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match.group("file")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif path.startswith(f"{ROOT}/"):
        path = path[len(str(ROOT)) + 1 :]
    elif re.search(r"lib/python3\.\d+/", path):
        path = re.split(r"lib/python3\.\d+/", path, maxsplit=1)[1]
    # py-spy already shortens paths to the import name: anything not from a package the
    # request path uses is the standard library (or <string>: dataclass-generated code).
    if path.split("/", 1)[0] not in _PACKAGES and not path.startswith("asyncio/"):
        path = "stdlib/" + path
    return f"{match.group('func')} ({path})"


def _layer(key: str) -> str:
    return next((name for marker, name in _LAYERS if marker in key), "other")


def summarise_profile(raw: str, top: int = 10) -> dict[str, Any]:
    """py-spy --format raw (collapsed stacks) → top functions by own samples, hub functions
    and ORM session calls by inclusive samples, and own samples per layer.

    SQLAlchemy runs each statement in a greenlet, which py-spy shows as a separate stack
    rooted at the Session method (execute/scalar/flush/commit): inclusive figures for hub
    code above that boundary (run_check, actor_for_token) leave out the SQL work they
    caused, which is counted under the Session rows. The per-layer split has no such gap."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame_key(f) for f in stack.split(";") if f.strip()]
        if frames and frames[-1] in _IDLE_LEAVES:
            total -= count
            continue
        if not frames:
            layers["(no Python frame)"] += count
            continue
        own[frames[-1]] += count
        layers[_layer(frames[-1])] += count
        for key in set(frames):
            if any(p in key for p in _INCLUSIVE):
                inclusive[key] += count

    def share(items: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [{"frame": k, "samples": n, "pct": round(100 * n / total, 1)} for k, n in items]

    return {
        "samples": total,
        "self": share(own.most_common(top)),
        "inclusive": share(inclusive.most_common(top)),
        "layers": share(layers.most_common()),
    }


def profile_hub(
    py_spy: str,
    pid: int,
    seconds: float,
    load: LoadGenerator,
    target: Target,
    concurrency: int,
    out: Path,
) -> dict[str, Any]:
    """py-spy (sampling, 200 Hz, Python frames) on the hub while the same load runs; the
    load starts first, so only busy steady-state is sampled."""
    outcome: dict[str, Any] = {}

    def drive() -> None:
        outcome["raw"], _ = load.run(target, seconds + 4, concurrency)

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    time.sleep(1.5)
    command = [
        py_spy, "record", "--pid", str(pid), "--duration", f"{math.ceil(seconds)}",
        "--rate", "200", "--format", "raw", "--output", str(out),
    ]  # fmt: skip
    spy = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    driver.join(seconds + 60)
    if spy.returncode != 0 or not out.exists():
        raise RuntimeError(f"py-spy failed ({spy.returncode}):\n{spy.stdout}\n{spy.stderr}")
    summary = summarise_profile(out.read_text(errors="replace"))
    if "raw" in outcome:
        summary["rps_while_profiling"] = to_run("profile", outcome["raw"]).rps
    return summary


# --- report --------------------------------------------------------------------------------


def pass_or_miss(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(hub: Run, bare: Run, ratio: float, generator: str, concurrency: int) -> None:
    width = 78
    print("\n" + "=" * width)
    print(f"HIRING check, {concurrency} concurrent clients, {generator}")
    print("-" * width)
    print(
        f"{'server':<20}{'req/s':>10}{'p50 ms':>9}{'p75 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>8}"
    )
    for run, label in ((hub, "hub  POST /graphql"), (bare, "bare POST /check")):
        print(
            f"{label:<20}{run.rps:>10.1f}{run.p50_ms:>9.2f}{run.p75_ms:>9.2f}{run.p90_ms:>9.2f}"
            f"{run.p99_ms:>9.2f}{run.max_ms:>9.1f}{run.errors:>8d}"
        )
    print("-" * width)
    print(f"throughput ratio hub/bare:  {ratio:.3f}")
    p99 = pass_or_miss(hub.p99_ms < TARGET_P99_MS)
    print(f"target hub p99 < {TARGET_P99_MS:g} ms:    {p99}  ({hub.p99_ms:.2f} ms)")
    ratio_verdict = pass_or_miss(ratio >= TARGET_RATIO)
    print(f"target ratio >= {TARGET_RATIO:g}:        {ratio_verdict}  ({ratio:.3f})")
    for run in (hub, bare):
        if run.errors:
            print(
                f"  {run.name}: {run.non_2xx} non-2xx, {run.socket_errors} socket errors, "
                f"{run.body_errors} responses with GraphQL errors"
            )
    if hub.cpu and bare.cpu:
        cores = os.cpu_count() or 1
        print("-" * width)
        print(f"CPU-seconds used during each measured run ({cores} cores):")
        print(
            f"  {'':<6}{'server':>8}{'(kernel)':>10}{'ms/req':>8}{'postgres':>10}"
            f"{'load gen':>10}{'irq':>6}{'other':>8}{'machine busy':>14}"
        )
        for run in (hub, bare):
            c = run.cpu
            print(
                f"  {run.name:<6}{c['server_cpu_s']:>8.1f}{c['server_system_cpu_s']:>10.1f}"
                f"{c['server_cpu_ms_per_request']:>8.2f}"
                f"{c['postgres_cpu_s']:>10.1f}{c['loadgen_cpu_s']:>10.1f}{c['irq_cpu_s']:>6.1f}"
                f"{c['other_cpu_s']:>8.1f}{c['machine_busy_pct']:>13.0f}%"
            )
        noisy = max(hub.cpu["other_cpu_s"], bare.cpu["other_cpu_s"]) > 0.1 * hub.seconds * cores
        if noisy:
            print("  WARNING: other processes took >10% of the machine during a run: noisy figures")
    print("=" * width)


def print_profile(summary: dict[str, Any], path: Path) -> None:
    print(
        f"\nhub profile: py-spy, {summary['samples']} busy samples at 200 Hz, "
        f"{summary.get('rps_while_profiling', 0):.0f} req/s while sampled ({path})"
    )
    for title, key in (
        ("top functions by own time", "self"),
        ("hub functions and ORM session calls by inclusive time", "inclusive"),
        ("own time by layer", "layers"),
    ):
        print(f"  {title}:")
        for row in summary[key]:
            print(f"    {row['pct']:5.1f}%  {row['frame']}")


# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.hiring_check", description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per server")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per server")
    parser.add_argument("--keep-db", action="store_true", help="keep the database (and keys)")
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
        help="after measuring, profile the hub with py-spy for SECONDS under the same load",
    )
    args = parser.parse_args(argv)
    if min(args.persons, args.records, args.concurrency, args.sample) < 1 or args.duration <= 0:
        parser.error("--persons, --records, --sample, --duration, --concurrency must be positive")
    return args


def sample_ids(data: dataset.Dataset, size: int, seed: int) -> list[str]:
    """~70 % persons with records, ~30 % registered persons without, shuffled."""
    rng = random.Random(seed + 1)
    with_ids = data.id_numbers[: data.with_records]
    without_ids = data.id_numbers[data.with_records :]
    n_with = round(size * SHARE_WITH_RECORDS) if without_ids else size
    picked = [rng.choice(with_ids) for _ in range(n_with)]
    picked += [rng.choice(without_ids) for _ in range(size - n_with)] if without_ids else []
    rng.shuffle(picked)
    return picked


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


async def sql_parity(
    env: dict[str, str], hub: Target, bare: Target, id_number: str
) -> dict[str, Any]:
    """The statements each server sends for one check, captured in-process with a
    `before_cursor_execute` listener on its engine: the bare endpoint mirrors the hub's SQL
    by hand, and this says when the hub's SQL has moved on."""
    from hub.app import create_app

    captured: dict[str, list[str]] = {"hub": [], "bare": []}

    def recorder(name: str) -> Any:
        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            captured[name].append(" ".join(statement.split()))

        return record

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        hub_app = create_app(Settings.from_env())
        bare_module = importlib.import_module("bench.bare_app")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    engines = {"hub": hub_app.state.engine, "bare": bare_module.engine}
    for name, engine in engines.items():
        event.listen(engine.sync_engine, "before_cursor_execute", recorder(name))
    try:
        for app, target in ((hub_app, hub), (bare_module.app, bare)):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                path = httpx.URL(target.url).path
                body = target.template.replace(PLACEHOLDER, id_number).encode()
                headers = {**target.headers, "Content-Type": "application/json"}
                response = await client.post(path, content=body, headers=headers)
                response.raise_for_status()
    finally:
        for engine in engines.values():
            await engine.dispose()
    return {"same": captured["hub"] == captured["bare"], **captured}


def print_parity(parity: dict[str, Any]) -> None:
    if parity["same"]:
        print(f"SQL parity: the bare endpoint sends the hub's {len(parity['hub'])} statements")
        return
    print("WARNING: the bare endpoint no longer sends the hub's SQL; the ratio compares")
    print("  different database work. Update bench/bare_app.py (and bench/README.md).")
    diff = difflib.unified_diff(parity["hub"], parity["bare"], "hub", "bare", lineterm="", n=0)
    for line in diff:
        print(f"  {line}")


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    admin_url = args.admin_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    dsn = with_database(admin_url, args.database)
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    work_dir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    keys_dir = work_dir / "keys"
    servers: list[Server] = []
    created_db = False
    try:
        # 1. Data: fresh database, real migrations, COPY, a client with check:hiring.
        init_keys(keys_dir)
        pii = PiiCipher(load_keys(Settings(keys_dir=keys_dir, env="production")).pii)
        print(f"database {args.database}: create, migrate, load", flush=True)
        asyncio.run(recreate_database(admin_url, args.database))
        created_db = True
        upgrade(url)
        data = asyncio.run(
            dataset.load(dsn, pii, persons=args.persons, records=args.records, seed=args.seed)
        )
        print(
            f"loaded {data.persons:,} persons ({data.with_records:,} with records) and "
            f"{data.records:,} credit records in {data.seconds:.1f}s",
            flush=True,
        )
        client_id, secret = asyncio.run(create_check_client(url, data.checking_agency_uscc))

        # 2. Servers: the hub, then the bare baseline, each its own uvicorn process.
        env = {
            **os.environ,
            "HUB_DATABASE_URL": url,
            "HUB_KEYS_DIR": str(keys_dir),
            "HUB_ENV": "production",
            "HUB_TOKEN_LIFETIME": "3600",
            "BENCH_CLIENT_ID": client_id,
            "PYTHONUNBUFFERED": "1",
        }
        hub = Server("hub", "hub.asgi:app", env, work_dir)
        servers.append(hub)
        hub.wait_ready()
        bare = Server("bare", "bench.bare_app:app", env, work_dir)
        servers.append(bare)
        bare.wait_ready()
        token_response = httpx.post(
            hub.url + "/oauth/token",
            data={"grant_type": "client_credentials", "scope": CHECK_HIRING},
            auth=(client_id, secret),
            timeout=30,
        )
        token_response.raise_for_status()
        hub_target, bare_target = targets(hub, bare, token_response.json()["access_token"])
        print("verified: " + verify(hub_target, bare_target, data.id_numbers[0]), flush=True)
        parity = asyncio.run(sql_parity(env, hub_target, bare_target, data.id_numbers[0]))
        print_parity(parity)

        # 3. Load: hub first, then bare, each warmed up first.
        ids = sample_ids(data, args.sample, args.seed)
        load = choose_generator(args, work_dir, ids)
        hub_run = measure(load, hub_target, hub, args)
        bare_run = measure(load, bare_target, bare, args)
        ratio = round(hub_run.rps / bare_run.rps, 3) if bare_run.rps else 0.0
        stored = asyncio.run(check_rows(dsn))
        postgres = asyncio.run(server_version(dsn))

        profile: dict[str, Any] | None = None
        profile_path = RESULTS / "hub_profile.txt"
        if args.profile > 0:
            py_spy = ensure_py_spy()
            if py_spy is None:
                print("py-spy unavailable: no profile")
            else:
                wait_for_quiet(args.wait_quiet)
                RESULTS.mkdir(parents=True, exist_ok=True)
                print(f"hub: py-spy for {args.profile:g}s under the same load", flush=True)
                profile = profile_hub(
                    py_spy, hub.process.pid, args.profile, load, hub_target, args.concurrency,
                    profile_path,
                )  # fmt: skip

        # 4. Report.
        print_report(hub_run, bare_run, ratio, load.description, args.concurrency)
        print(f"checks stored by the runs: {dict(sorted(stored.items()))}")
        if profile:
            print_profile(profile, profile_path)
        result = {
            "benchmark": "hiring_check",
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": shlex.join(["python", "-m", "bench.hiring_check", *(argv or sys.argv[1:])]),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "postgres": postgres,
            },
            "data": {
                "persons": data.persons,
                "persons_with_records": data.with_records,
                "records": data.records,
                "load_seconds": round(data.seconds, 1),
                "seed": args.seed,
            },
            "load": {
                "generator": load.description,
                "concurrency": args.concurrency,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "order": "hub, then bare",
                "distinct_bodies": len(ids),
                "share_with_records": SHARE_WITH_RECORDS,
            },
            "hub": asdict(hub_run),
            "bare": asdict(bare_run),
            "ratio": ratio,
            "targets": {
                "p99_ms": {"target": TARGET_P99_MS, "pass": hub_run.p99_ms < TARGET_P99_MS},
                "ratio": {"target": TARGET_RATIO, "pass": ratio >= TARGET_RATIO},
            },
            "sql_parity": parity,
            "checks_stored": dict(stored),
            "profile": profile,
            "wall_seconds_until_report": round(time.perf_counter() - started, 1),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "hiring_check.json").write_text(
            json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"results: {RESULTS / 'hiring_check.json'}")
    finally:
        # 5. Clean up, also after Ctrl-C or a failure.
        for server in reversed(servers):
            server.stop()
        if created_db and not args.keep_db:
            try:
                asyncio.run(recreate_database(admin_url, args.database, drop_only=True))
            except Exception as exc:  # cleanup must not hide the original error
                print(f"could not drop {args.database}: {exc}", file=sys.stderr)
        if created_db and args.keep_db:
            # The kept data is only readable with its PII keys: keep those too.
            print(f"kept database {args.database} ({dsn}); its keys: HUB_KEYS_DIR={keys_dir}")
            for path in work_dir.iterdir():
                if path != keys_dir:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(f"wall time: {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
