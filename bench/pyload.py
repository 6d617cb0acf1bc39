"""Fallback load generator (used only when wrk is unavailable): asyncio + httpx, closed loop.

    python -m bench.pyload URL BODIES_JSON --duration 15 --concurrency 32 [--header K: V ...]

BODIES_JSON is a JSON list of request bodies (strings), rotated through. Prints one line
`BENCH {...}` with the same keys the wrk script prints. Much slower than wrk per request (it
is Python sharing the machine with the servers), so its figures understate both servers."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def run(
    url: str, bodies: list[str], headers: dict[str, str], duration: float, concurrency: int
) -> dict[str, float]:
    latencies: list[float] = []
    counts = {"status": 0, "body": 0, "errors": 0}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=5.0, headers=headers) as client:
        started = time.perf_counter()
        deadline = started + duration

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                body = bodies[i % len(bodies)]
                i += 1
                sent = time.perf_counter()
                try:
                    response = await client.post(url, content=body.encode())
                except httpx.HTTPError:
                    counts["errors"] += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                if response.status_code >= 400:
                    counts["status"] += 1
                elif b'"errors"' in response.content:
                    counts["body"] += 1

        await asyncio.gather(*(worker(n * 997) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    us = [v * 1e6 for v in latencies]
    return {
        "requests": len(us),
        "duration_us": elapsed * 1e6,
        "errors_connect": 0,
        "errors_read": counts["errors"],
        "errors_write": 0,
        "errors_status": counts["status"],
        "errors_timeout": 0,
        "body_errors": counts["body"],
        "p50_us": percentile(us, 50),
        "p75_us": percentile(us, 75),
        "p90_us": percentile(us, 90),
        "p99_us": percentile(us, 99),
        "max_us": us[-1] if us else 0.0,
        "mean_us": sum(us) / len(us) if us else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("bodies")
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    with open(args.bodies, encoding="utf-8") as handle:
        bodies = json.load(handle)
    headers = dict(h.split(": ", 1) for h in args.header)
    result = asyncio.run(run(args.url, bodies, headers, args.duration, args.concurrency))
    print("BENCH " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
