"""Soak: the hub under a steady mix for a long time (issue 15) — zero 5xx, memory flat,
latency stable.

One `hub serve` process on PostgreSQL with the demo data set (江州市). First its maximum is
measured: 16 clients in a closed loop for 20 s with the mix below. Then an open-loop load
at 70 % of that maximum (`--load`; requests started on a fixed schedule, however slow the
answers) for --minutes (default 10):

    80 % single HIRING checks · 5 % a batch of 100 AWARD checks · 10 % submitRecords of
    10 rows · 5 % change-feed pages (changes, first 200)

Printed per minute: requests, p50/p99 latency (from the moment each request was due, so
time spent waiting behind a slow hub counts), 5xx; at the end the server's RSS at the
start and the end of the soak. `--checks-only` sends single HIRING checks alone (issue 14:
p99 at an open-loop load of half the maximum, `--checks-only --load 0.5`).

    python -m bench.soak [--minutes 10] [--load 0.7] [--checks-only] [--admin-url …]"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson

from bench.database import recreate_database, with_database
from bench.demo_hub import DemoHub, demo_hub
from bench.wire import Wire
from hub.demo.dataset import build_dataset
from hub.subjects.identifiers import id_check_char

HUB = [sys.executable, "-c", "from hub.cli import main; main()"]
DATABASE = "hub_soak"
CHECK = "query($i: CheckInput!) { check(input: $i) { verdict } }"
CHECKS = "query($i: [CheckInput!]!) { checks(inputs: $i) { verdict } }"
SUBMIT = "mutation($r: [RecordInput!]!) { submitRecords(records: $r) { accepted } }"
CHANGES = "query($a: String) { changes(after: $a, first: 200) { pageInfo { endCursor } } }"
MIX = (("check", 80), ("batch", 5), ("submit", 10), ("feed", 5))
# `--checks-only`: issue 14's open-loop figure, single HIRING checks at half the maximum.
CHECKS_ONLY = (("check", 100),)
CONNECTIONS = 64


@dataclass
class Minute:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # 5xx or no answer
    kinds: dict[str, int] = field(default_factory=dict)


class Mix:
    def __init__(
        self, persons: list[str], seed: int = 7, weights: tuple[tuple[str, int], ...] = MIX
    ) -> None:
        self.rng = random.Random(seed)
        self.kinds = [k for k, _ in weights]
        self.weights = [w for _, w in weights]
        self.persons = persons
        self.submitted = 0
        self.cursor: str | None = None

    def next(self) -> tuple[str, dict]:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        if kind == "check":
            subject = {"idNumber": self.rng.choice(self.persons)}
            return kind, {"query": CHECK, "variables": {"i": {
                "purpose": "HIRING", "reference": "soak", "subject": subject}}}  # fmt: skip
        if kind == "batch":
            sample = self.rng.sample(self.persons, 100)
            inputs = [
                {"purpose": "AWARD", "reference": "soak", "subject": {"idNumber": p}}
                for p in sample
            ]
            return kind, {"query": CHECKS, "variables": {"i": inputs}}
        if kind == "submit":
            rows = [self._record() for _ in range(10)]
            return kind, {"query": SUBMIT, "variables": {"r": rows}}
        return kind, {"query": CHANGES, "variables": {"a": self.cursor}}

    def _record(self) -> dict:
        self.submitted += 1
        n = self.submitted
        first17 = f"3612021975{(n // 900) % 12 + 1:02d}{n % 28 + 1:02d}{n % 900 + 100:03d}"
        return {"sourceRef": f"江监政处〔2026〕soak-{n}号", "category": "GOVERNMENT_SANCTION",
                "sanctionKind": "WARNING", "severity": "MINOR", "decidedAt": str(date(2026, 1, 5)),
                "summary": "违反工作纪律", "subject": {"idNumber": first17 + id_check_char(first17),
                                                 "name": "浸泡测试"}}  # fmt: skip


async def maximum(url: str, token: str, mix: Mix, seconds: float = 20, clients: int = 16) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    wire = Wire(url, token)

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            _, body = mix.next()
            status, _ = await wire.post("/graphql", body)
            assert status < 500, status
            done += 1

    await asyncio.gather(*(client() for _ in range(clients)))
    await wire.close()
    return done / seconds


async def soak(url: str, token: str, mix: Mix, rate: float, minutes: int) -> list[Minute]:
    stats = [Minute() for _ in range(minutes)]
    started = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    # At most this many requests on the wire: a hub that falls behind makes the next ones
    # wait here, and their latency counts from when they were due (no coordinated omission),
    # instead of thousands queueing in the load generator, which then costs more CPU than the
    # hub (a death spiral the first soaks fell into).
    in_flight = asyncio.Semaphore(CONNECTIONS)
    wire = Wire(url, token)

    async def one(kind: str, body: dict, due: float) -> None:
        async with in_flight:
            status, answer = await wire.post("/graphql", body)
        took = time.perf_counter() - due
        minute = stats[min(minutes - 1, int((time.perf_counter() - started) // 60))]
        minute.latencies.append(took)
        minute.kinds[kind] = minute.kinds.get(kind, 0) + 1
        if status >= 500:
            minute.errors += 1
        elif kind == "feed":
            data = orjson.loads(answer).get("data") or {}
            cursor = (data.get("changes") or {}).get("pageInfo") or {}
            mix.cursor = cursor.get("endCursor") or mix.cursor

    n = 0
    while (elapsed := time.perf_counter() - started) < minutes * 60:
        due = started + n / rate
        if due > time.perf_counter():
            await asyncio.sleep(due - time.perf_counter())
        kind, body = mix.next()
        task = asyncio.create_task(one(kind, body, max(due, started)))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
        if elapsed and n % 1000 == 0:
            print(f"  … {elapsed / 60:.1f} min, {len(pending)} in flight", flush=True)
    await asyncio.gather(*pending)
    await wire.close()
    return stats


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile_ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def report(stats: list[Minute], rss_start: float, rss_end: float, rate: float, top: float) -> None:
    print(f"maximum {top:.0f} req/s; soak at {rate:.0f} req/s ({100 * rate / top:.0f} %)")
    print("minute  requests  p50 ms  p99 ms  5xx")
    for i, minute in enumerate(stats, 1):
        print(f"{i:6d}  {len(minute.latencies):8d}  {percentile_ms(minute.latencies, .5):6.1f}  "
              f"{percentile_ms(minute.latencies, .99):6.1f}  {minute.errors:3d}")  # fmt: skip
    errors = sum(m.errors for m in stats)
    print(f"5xx in all: {errors}; server RSS {rss_start:.0f} MB at the start, {rss_end:.0f} MB "
          f"at the end ({rss_end - rss_start:+.0f} MB)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument(
        "--load", type=float, default=0.7, help="offered load as a fraction of the maximum"
    )
    parser.add_argument(
        "--checks-only", action="store_true", help="single HIRING checks instead of the mix"
    )
    parser.add_argument("--admin-url", default=os.environ.get(
        "HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))  # fmt: skip
    args = parser.parse_args()
    if not 0 < args.load <= 1 or args.minutes < 1:
        parser.error("--load must lie in (0, 1] and --minutes be at least 1")
    asyncio.run(recreate_database(args.admin_url, DATABASE))
    try:
        with demo_hub(with_database(args.admin_url, DATABASE), {"HUB_RATE_LIMIT": "off"}) as hub:
            run(hub, args.minutes, args.load, CHECKS_ONLY if args.checks_only else MIX)
    finally:
        asyncio.run(recreate_database(args.admin_url, DATABASE, drop_only=True))


def run(hub: DemoHub, minutes: int, load: float, weights: tuple[tuple[str, int], ...]) -> None:
    persons = [p.id_number for p in build_dataset().persons[:2000]]
    mix = Mix(persons, weights=weights)
    top = asyncio.run(maximum(hub.url, hub.token(), mix))
    rss_start = rss_mb(hub.pid)
    # Tokens last 15 minutes: a fresh one for the soak itself.
    stats = asyncio.run(soak(hub.url, hub.token(), mix, load * top, minutes))
    report(stats, rss_start, rss_mb(hub.pid), load * top, top)


if __name__ == "__main__":
    main()
