"""The report: the table printed at the end of a run, and bench/results/hiring_check.json."""

from __future__ import annotations

import json
import os
import platform
import shlex
import time
from dataclasses import asdict
from typing import Any

from bench import RESULTS
from bench.batch import PURPOSE, TARGET_BATCH_S, Batch
from bench.floor import Floor
from bench.loadgen import Run

TARGET_P99_MS = 20.0
TARGET_RATIO = 0.5
# Issue 14: the hub against a hand-written endpoint and against the database alone.
TARGET_LEAN = 0.5
TARGET_FLOOR = 0.3
WIDTH = 78


def pass_or_miss(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(
    hub: Run, bare: Run, ratio: float, generator: str, concurrency: int, batch: Batch | None
) -> None:
    width = WIDTH
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
    if batch:
        print_batch(batch)
    print("=" * width)


def print_anchors(hub: Run, lean: Run, floor: Floor | None) -> None:
    """Issue 14's anchors: the hub against what a hand-written endpoint and the database
    alone do for the same check, in the same run."""
    width = WIDTH
    print("-" * width)
    print("anchors (same run, same database):")
    print(f"  hub   {hub.rps:>8.1f} req/s  p50 {hub.p50_ms:6.2f} ms  p99 {hub.p99_ms:7.2f} ms")
    print(f"  lean  {lean.rps:>8.1f} req/s  p50 {lean.p50_ms:6.2f} ms  p99 {lean.p99_ms:7.2f} ms")
    if floor is not None:
        print(f"  floor {floor.tps:>8.1f} tps    latency avg {floor.latency_ms:.2f} ms (pgbench)")
    hub_lean = hub.rps / lean.rps if lean.rps else 0.0
    verdict = pass_or_miss(hub_lean >= TARGET_LEAN)
    print(f"  hub/lean  {hub_lean:.3f}   (target >= {TARGET_LEAN:g}: {verdict})")
    if floor is not None and floor.tps:
        hub_floor = hub.rps / floor.tps
        print(f"  hub/floor {hub_floor:.3f}   (target >= {TARGET_FLOOR:g}: "
              f"{pass_or_miss(hub_floor >= TARGET_FLOOR)})")  # fmt: skip
    if hub.cpu and lean.cpu:
        print(f"  server CPU per request: hub {hub.cpu['server_cpu_ms_per_request']:.2f} ms, "
              f"lean {lean.cpu['server_cpu_ms_per_request']:.2f} ms")  # fmt: skip


def print_batch(batch: Batch) -> None:
    def row(label: str, values: list[float]) -> str:
        return f"  {label:<16}" + "".join(f"{v:>8.3f}" for v in values)

    print("-" * WIDTH)
    print(f"{PURPOSE} batch: {batch.size:,} subjects in one checks(inputs) request")
    print(f"{row('wall s', batch.wall_s)}   min {batch.min_s:.3f}  median {batch.median_s:.3f}")
    print(row("hub CPU s", batch.server_cpu_s))
    print(row("postgres CPU s", batch.postgres_cpu_s))
    mix = "  ".join(f"{verdict} {n:,}" for verdict, n in batch.verdicts.items())
    print(f"  {'verdicts':<16}{mix}")
    one = batch.sequential
    if one:
        each = f"{one.ms_per_check:.2f} ms each"
        if one.capped:
            timing = (
                f"{one.checks:,} in {one.seconds:.1f} s ({each}), capped; "
                f"all {batch.size:,} ≈ {one.estimated_s:.1f} s extrapolated"
            )
        else:
            timing = f"{one.checks:,} in {one.seconds:.1f} s ({each})"
        print(f"  {'one at a time':<16}{timing}")
        print(
            f"  {'':<16}verdicts equal to the batch's: {one.agree_with_batch:,} of {one.checks:,}"
        )
        if one.errors:
            print(f"  {'':<16}{one.errors:,} answers with errors")
        if batch.median_s:
            speedup = one.estimated_s / batch.median_s
            print(f"  {'speed-up':<16}{speedup:.1f}x (one at a time / batch median)")
    verdict = pass_or_miss(batch.passed)
    print(f"target batch < {TARGET_BATCH_S:g} s:        {verdict}  (median {batch.median_s:.3f} s)")
    for problem in batch.problems:
        print(f"  WARNING: {problem}")


def results_document(
    *,
    argv: list[str],
    started: float,
    postgres: str,
    sections: dict[str, Any],
    hub: Run,
    bare: Run,
    ratio: float,
    batch: Batch | None,
) -> dict[str, Any]:
    """`sections` are the plain parts (data, load, sql_parity, checks_stored, profile …), in
    the order they appear in the document."""
    targets: dict[str, Any] = {
        "p99_ms": {"target": TARGET_P99_MS, "pass": hub.p99_ms < TARGET_P99_MS},
        "ratio": {"target": TARGET_RATIO, "pass": ratio >= TARGET_RATIO},
    }
    if batch:
        targets["batch_s"] = {"target": TARGET_BATCH_S, "pass": batch.passed}
    return {
        "benchmark": "hiring_check",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": shlex.join(["python", "-m", "bench.hiring_check", *argv]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgres": postgres,
        },
        "data": sections["data"],
        "load": sections["load"],
        "hub": asdict(hub),
        "bare": asdict(bare),
        "ratio": ratio,
        "targets": targets,
        "sql_parity": sections["sql_parity"],
        "checks_stored": sections["checks_stored"],
        "profile": sections["profile"],
        **({"batch": asdict(batch), "batch_profile": sections["batch_profile"]} if batch else {}),
        "wall_seconds_until_report": round(time.perf_counter() - started, 1),
    }


def write_results(document: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hiring_check.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"results: {RESULTS / 'hiring_check.json'}")
