"""An authenticated officer's check latency while anonymous callers flood the hub with a
document built to make validation expensive (issue 15): ~190 copies of
`verifyReport(token: "…") { valid }`, each copy different so no cache helps.

Measured on one `hub serve` process (SQLite, the demo data set): the p50/p95 of HIRING checks
sent one after another, alone and then beside 4 attackers sending the document as fast as
the hub answers; and, for reference, what graphql-core's validation of that document costs
in-process when nothing refuses it first (the cost the budget avoids).

    python -m bench.hostile [--checks 300] [--attackers 4]"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

import httpx
from graphql import parse, validate

from bench.demo_hub import demo_hub
from hub.demo.dataset import build_dataset
from schema import build_schema

HUB = [sys.executable, "-c", "from hub.cli import main; main()"]
CHECK = "query($i: CheckInput!) { check(input: $i) { verdict } }"


def hostile(copies: int = 190, seed: int = 0) -> str:
    fields = " ".join(f'verifyReport(token: "{seed}-{i}") {{ valid }}' for i in range(copies))
    return "{ " + fields + " }"


def validation_cost(copies: int = 190, rounds: int = 5) -> float:
    """Seconds graphql-core spends validating the document, with no budget in front."""
    schema = build_schema()._schema
    timings = []
    for seed in range(rounds):
        document = parse(hostile(copies, seed), max_tokens=None)
        started = time.perf_counter()
        validate(schema, document)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


async def checks(http: httpx.AsyncClient, token: str, id_number: str, count: int) -> list[float]:
    body = {
        "query": CHECK,
        "variables": {
            "i": {"purpose": "HIRING", "reference": "bench", "subject": {"idNumber": id_number}}
        },
    }
    headers = {"Authorization": f"Bearer {token}"}
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        answer = await http.post("/graphql", json=body, headers=headers)
        latencies.append(time.perf_counter() - started)
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    return sorted(latencies)


TRIVIAL = '{ verifyReport(token: "x") { valid } }'


async def attack(
    http: httpx.AsyncClient, stop: asyncio.Event, statuses: list[int], document: str | None
) -> None:
    """Sends `document` (None: a fresh hostile one each time) as fast as the hub answers."""
    seed = 0
    while not stop.is_set():
        seed += 1
        answer = await http.post("/graphql", json={"query": document or hostile(seed=seed)})
        assert answer.status_code < 500, answer.text
        statuses.append(answer.status_code)


def _ms(latencies: list[float], q: float) -> float:
    return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]


async def under(
    http: httpx.AsyncClient, token: str, id_number: str, count: int, attackers: int,
    document: str | None,
) -> tuple[list[float], list[int], float]:  # fmt: skip
    stop, statuses = asyncio.Event(), []
    flood = [asyncio.create_task(attack(http, stop, statuses, document)) for _ in range(attackers)]
    started = time.perf_counter()
    latencies = await checks(http, token, id_number, count)
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*flood)
    return latencies, statuses, elapsed


def _line(name: str, latencies: list[float]) -> str:
    return f"{name:<34} p50 {_ms(latencies, 0.5):6.1f} ms  p95 {_ms(latencies, 0.95):6.1f} ms"


async def measure(url: str, token: str, id_number: str, count: int, attackers: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        await checks(http, token, id_number, 20)  # warm up
        alone = await checks(http, token, id_number, count)
        print(_line("checks alone", alone))
        trivial, trivial_answers, trivial_time = await under(
            http, token, id_number, count, attackers, TRIVIAL
        )
        print(_line("checks beside a trivial flood", trivial)
              + f"  ({len(trivial_answers) / trivial_time:.0f} requests/s)")  # fmt: skip
        attacked, refused, attacked_time = await under(
            http, token, id_number, count, attackers, None
        )
        rate, statuses = len(refused) / attacked_time, sorted(set(refused))
        print(_line("checks beside the hostile flood", attacked)
              + f"  ({rate:.0f} refused/s, statuses {statuses})")  # fmt: skip
    ratio = _ms(attacked, 0.5) / _ms(trivial, 0.5)
    print(f"p50 hostile flood / trivial flood: {ratio:.2f} (1.0: the hostile document costs the "
          "hub no more than the cheapest request); p50 hostile flood / alone: "
          f"{_ms(attacked, 0.5) / _ms(alone, 0.5):.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--attackers", type=int, default=4)
    args = parser.parse_args()
    print(
        f"graphql-core validation of the hostile document, unguarded: "
        f"{1000 * validation_cost():.0f} ms of CPU each (what the budget refuses to spend)"
    )
    # The default limits: anonymous callers 50/s per address; the checking client
    # (demo-client) its own, higher bucket.
    env = {"HUB_RATE_LIMITS_PER_CLIENT": "demo-client=1000/1000"}
    with demo_hub(None, env) as hub:
        person = build_dataset().showcase[0].id_number
        asyncio.run(measure(hub.url, hub.token(), person, args.checks, args.attackers))


if __name__ == "__main__":
    main()
