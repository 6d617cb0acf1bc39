"""Profiles of the hub with py-spy (sampling, 200 Hz, Python frames): under the single-check
load, or during one batch request; collapsed stacks summarised by function and by layer."""

from __future__ import annotations

import math
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import ROOT
from bench.loadgen import LoadGenerator, Target, to_run


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


def profile_call(py_spy: str, pid: int, call: Callable[[], object], out: Path) -> dict[str, Any]:
    """py-spy on the hub for as long as `call` (one request) takes. Idle samples (the event
    loop waiting) are not recorded, so the summary covers the request's busy time."""
    command = [
        py_spy, "record", "--pid", str(pid), "--rate", "200", "--format", "raw",
        "--output", str(out),
    ]  # fmt: skip
    spy = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # attach before the request starts
    started = time.perf_counter()
    try:
        call()
    finally:
        seconds = time.perf_counter() - started
        spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        stdout, stderr = spy.communicate(timeout=60)
    if not out.exists():
        raise RuntimeError(f"py-spy failed ({spy.returncode}):\n{stdout}\n{stderr}")
    return summarise_profile(out.read_text(errors="replace")) | {"request_s": round(seconds, 3)}


def print_profile(summary: dict[str, Any], path: Path, what: str | None = None) -> None:
    if what is None:
        what = f"{summary.get('rps_while_profiling', 0):.0f} req/s while sampled"
    print(f"\nhub profile: py-spy, {summary['samples']} busy samples at 200 Hz, {what} ({path})")
    for title, key in (
        ("top functions by own time", "self"),
        ("hub functions and ORM session calls by inclusive time", "inclusive"),
        ("own time by layer", "layers"),
    ):
        print(f"  {title}:")
        for row in summary[key]:
            print(f"    {row['pct']:5.1f}%  {row['frame']}")
