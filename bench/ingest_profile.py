"""Where a `hub sync court` run spends its time, from both ends: py-spy over the hub (py-spy
starts it as its child) and, at the same time, samples of what PostgreSQL is doing for it
(`pg_stat_activity` of its connection, 50 per second)."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any

import psycopg

from bench import ROOT
from bench.ingest_hub import APPLICATION_NAME

RATE = 100  # py-spy samples per second
BACKEND_INTERVAL = 0.02  # s between two pg_stat_activity samples

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::\d+)?\)$")
# py-spy counts a thread blocked in these as busy: the leaf says it is waiting.
IDLE_LEAVES = (
    "Condition.wait (stdlib/threading.py)",  # rich's refresh thread, sleeping
    "_worker (stdlib/concurrent/futures/thread.py)",  # the thread pool, waiting for work
    "EpollSelector.select (stdlib/selectors.py)",  # the event loop, waiting for PostgreSQL
    # Either end of the pipe between the hub and its reader process, waiting for the other.
    "Connection._recv (stdlib/multiprocessing/connection.py)",
)
# With --subprocesses, py-spy roots each stack at its process (`process 123:"command"`),
# nested for a child's child: the hub is the outermost, its reader (hub.ingest.reader)
# the fork server's child.
# A command line may hold ";" (the fork server's does), so these are taken off the front
# before the stack is split into frames.
_PROCESS = re.compile(r'^process \d+:".*?"(?:;|$)')
# Inclusive time is ranked for the hub's and the connectors' functions, and for the ORM
# session calls that root SQLAlchemy's greenlet stacks (a statement, a flush).
_INCLUSIVE = ("(hub/", "(connectors/", "(sqlalchemy/orm/session.py)")
_ROOTS = ("HubGroup.invoke", "register.<locals>.sync_court", "_sync ", "_sync.<locals>.run")

# Each busy sample goes to the first concern any frame of its stack matches: the shares
# add up to 100 %. SQLAlchemy runs each statement and each flush in a greenlet that py-spy
# shows as its own stack, rooted at the Session method: those are the ORM rows.
CONCERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("PII: keyed hashes (PiiCipher.lookup_hash, HMAC-SHA256)", ("lookup_hash (hub/subjects/pii",)),
    ("PII: encryption (PiiCipher.encrypt, AES-GCM)", ("encrypt (hub/subjects/pii",)),
    ("content hash of each record (drafts.content_hash)", ("content_hash (hub/records/drafts",)),
    ("validation (drafts.validate_draft)", ("validate_draft (hub/records/drafts",)),
    ("normalisation (hub/ingest/normalize.py)", ("(hub/ingest/normalize.py)",)),
    ("court mapping (connectors/court/mapping.py)", ("(connectors/court/mapping.py)",)),
    ("CSV reading (connectors/files.py, csv module, GBK decoding)", ("_csv_rows (connectors",)),
    ("file checks before reading: whole-file decode + sha256 (connectors/files.py)",
     ("detect_encoding (connectors", "file_identity (connectors")),
    ("ORM flush: INSERTs of persons, records, events (Session.flush greenlet)",
     ("flush (sqlalchemy/orm/session.py)",)),
    ("ORM queries: existing records, persons, organizations (Session.execute greenlets)",
     ("execute (sqlalchemy/orm/session.py)", "scalars (sqlalchemy/orm/session.py)",
      "scalar (sqlalchemy/orm/session.py)")),
    ("ORM merge (cursor, source feed), commit, other Session calls", ("(sqlalchemy/orm/session.py)",)),  # noqa: E501
    ("other hub code: building records and events, chunk handling (hub/)", ("(hub/ingest", "(hub/records", "(hub/subjects")),  # noqa: E501
    ("connector framework (connectors/)", ("(connectors/",)),
    ("rest: start-up, imports, event loop, progress display", ("",)),
)  # fmt: skip

_LAYERS = (
    ("(asyncpg/", "asyncpg (driver, incl. its C protocol and socket writes)"),
    ("(sqlalchemy/orm/", "SQLAlchemy ORM"),
    ("(sqlalchemy/", "SQLAlchemy core/engine/pool + greenlet bridge"),
    ("(cryptography/", "cryptography"),
    ("(connectors/", "connectors (CSV rows, court mapping)"),
    ("(hub/", "hub code"),
    ("(stdlib/asyncio/", "event loop (asyncio)"),
    ("(stdlib/", "Python stdlib (csv, codecs, json, hashlib, uuid, enum, dataclasses …)"),
)


def frame_key(frame: str) -> str:
    """`func (path:line)` → `func (path)`: relative to the repository or site-packages;
    the standard library (py-spy shows it relative to its directory) as `stdlib/…`."""
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
    local = ("hub/", "connectors/", "bench/", "migrations/", "schema/", "sqlalchemy/", "<")
    packages = ("asyncpg/", "cryptography/", "click/", "rich/", "greenlet/", "orjson", "alembic/")
    if not path.startswith(local + packages) and path not in ("hub",):
        path = "stdlib/" + path
    return f"{match.group('func')} ({path})"


def _layer(key: str) -> str:
    return next((name for marker, name in _LAYERS if marker in key), "other")


def summarise(raw: str, top: int = 20) -> dict[str, Any]:
    """py-spy's collapsed stacks → for the hub's process: busy samples by concern
    (exclusive), hub functions by inclusive share, functions by own share, own share by
    layer; for its reader process, by concern and own share."""
    hub, reader = _Tally(), _Tally()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        depth = 0
        while match := _PROCESS.match(stack):
            stack, depth = stack[match.end() :], depth + 1
        frames = [frame_key(f) for f in stack.split(";") if f.strip()]
        if frames:
            (reader if depth > 1 else hub).add(frames, int(count_text))
    return {
        **hub.summary(top),
        "rate_hz": RATE,
        "reader": {k: v for k, v in reader.summary(top).items() if k != "inclusive"},
    }


class _Tally:
    def __init__(self) -> None:
        self.concerns: Counter[str] = Counter()
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.layers: Counter[str] = Counter()
        self.busy = self.idle = 0

    def add(self, frames: list[str], count: int) -> None:
        if frames[-1] in IDLE_LEAVES:
            self.idle += count
            return
        self.busy += count
        self.own[frames[-1]] += count
        self.layers[_layer(frames[-1])] += count
        distinct = set(frames)
        for key in distinct:
            if any(p in key for p in _INCLUSIVE) and not key.startswith(_ROOTS):
                self.inclusive[key] += count
        for concern, markers in CONCERNS:
            if any(marker in key for key in distinct for marker in markers):
                self.concerns[concern] += count
                break

    def summary(self, top: int) -> dict[str, Any]:
        busy = self.busy

        def share(items: list[tuple[str, int]]) -> list[dict[str, Any]]:
            return [
                {"frame": k, "samples": n, "pct": round(100 * n / busy, 1) if busy else 0.0}
                for k, n in items
                if n
            ]

        return {
            "busy_samples": busy,
            "idle_samples": self.idle,
            "concerns": share([(c, self.concerns[c]) for c, _ in CONCERNS]),
            "inclusive": share(self.inclusive.most_common(top)),
            "self": share(self.own.most_common(12)),
            "layers": share(self.layers.most_common()),
        }


class BackendSampler:
    """Samples `pg_stat_activity` for the client connections to one database (the hub's):
    which statement is active, or whether the connection is idle in a transaction (the hub
    is working between two statements) or idle (between transactions, or not yet open)."""

    def __init__(self, dsn: str, database: str, phase: Callable[[], str] | None = None) -> None:
        self.dsn, self.database = dsn, database
        self.phase = phase or (lambda: "whole run")
        self.phases: dict[str, Counter[str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> BackendSampler:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        # The statement's verb and table: its text can be 20 kB (1,000 bind markers).
        query = (
            "SELECT state, CASE WHEN state = 'active' THEN "
            "rtrim(upper(split_part(ltrim(query), ' ', 1)), ';') || ' ' || "
            "coalesce(substring(query FROM '(?:FROM|INTO|UPDATE)\\s+\"?(\\w+)'), '') END "
            "FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
            "AND application_name <> %s"
        )
        parameters = (self.database, APPLICATION_NAME)
        with psycopg.connect(
            self.dsn, autocommit=True, application_name=APPLICATION_NAME
        ) as connection:
            while not self._stop.is_set():
                states = self.phases.setdefault(self.phase(), Counter())
                for state, statement in connection.execute(query, parameters).fetchall():
                    states[f"active: {statement}" if statement else f"({state})"] += 1
                time.sleep(BACKEND_INTERVAL)

    def summary(self) -> dict[str, Any]:
        phases = []
        for phase, states in self.phases.items():
            total = sum(states.values())
            rows = [
                {"state": k, "samples": n, "pct": round(100 * n / total, 1)}
                for k, n in states.most_common(10)
            ]
            phases.append({"phase": phase, "samples": total, "states": rows})
        return {"interval_s": BACKEND_INTERVAL, "phases": phases}


def print_summary(summary: dict[str, Any], what: str) -> None:
    print(
        f"\nhub ingest profile: py-spy at {summary['rate_hz']} Hz, "
        f"{summary['busy_samples']:,} busy samples, {what}"
    )
    for title, key in (
        ("where the hub's busy time goes (exclusive, adds up to 100 %)", "concerns"),
        ("hub/connector functions and ORM session calls by inclusive share", "inclusive"),
        ("top functions by own time", "self"),
        ("own time by layer", "layers"),
    ):
        print(f"  {title}:")
        for row in summary[key]:
            print(f"    {row['pct']:5.1f}%  {row['frame']}")
    reader = summary.get("reader") or {}
    if reader.get("busy_samples"):
        print(
            f"  its reader process (hub.ingest.reader: the connector's read, normalisation, "
            f"validation), {reader['busy_samples']:,} busy samples:"
        )
        for title, key in (("by concern", "concerns"), ("top functions by own time", "self")):
            print(f"   {title}:")
            for row in reader[key]:
                print(f"    {row['pct']:5.1f}%  {row['frame']}")
    backend = summary.get("postgres") or {"phases": []}
    for phase in backend["phases"]:
        seconds = phase["samples"] * backend["interval_s"]
        print(
            f"  PostgreSQL for the hub's connection, {phase['phase']} (~{seconds:.0f} s; "
            f"{phase['samples']:,} samples of pg_stat_activity; share of wall time):"
        )
        for row in phase["states"]:
            print(f"    {row['pct']:5.1f}%  {row['state']}")
