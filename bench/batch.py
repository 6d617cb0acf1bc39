"""The batch measurement: one `checks(inputs)` request with 10,000 AWARD subjects (a 评优评先
screening), wall time from sending it to having parsed the answer; and, for comparison, the
same subjects asked one `check` at a time over one keep-alive connection."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from bench.cpu import CpuMeter, wait_for_quiet

# The batch selection of the issue; the one-at-a-time baseline selects the same fields.
BATCH_QUERY = (
    "query($inputs: [CheckInput!]!) "
    "{ checks(inputs: $inputs) { verdict findings { rule { id } restrictsUntil } } }"
)
SINGLE_QUERY = (
    "query($input: CheckInput!) "
    "{ check(input: $input) { verdict findings { rule { id } restrictsUntil } } }"
)
PURPOSE = "AWARD"
REFERENCE = "bench-batch"
TARGET_BATCH_S = 2.0
REPEATS = 3
TIMEOUT_S = 120.0
SEQUENTIAL_CAP_S = 60.0


@dataclass
class Sequential:
    """The same subjects, one `check` request after the other."""

    checks: int  # answered before the cap
    seconds: float
    capped: bool
    estimated_s: float  # for all subjects: measured, or extrapolated when capped
    ms_per_check: float
    errors: int
    agree_with_batch: int  # verdicts equal to the batch's for the same subject


@dataclass
class Batch:
    size: int
    distinct_subjects: int
    request_bytes: int
    response_bytes: int
    wall_s: list[float]
    min_s: float
    median_s: float
    server_cpu_s: list[float]
    postgres_cpu_s: list[float]
    verdicts: dict[str, int]
    problems: list[str]  # anything wrong with an answer; the timings are then suspect
    sequential: Sequential | None = None

    @property
    def passed(self) -> bool:
        return not self.problems and self.median_s < TARGET_BATCH_S


def check_input(id_number: str) -> dict[str, Any]:
    return {"purpose": PURPOSE, "subject": {"idNumber": id_number}, "reference": REFERENCE}


def batch_body(ids: list[str]) -> bytes:
    variables = {"inputs": [check_input(i) for i in ids]}
    return json.dumps({"query": BATCH_QUERY, "variables": variables}).encode()


@dataclass(frozen=True)
class BatchRequest:
    url: str  # the hub's /graphql
    token: str  # with scope check:award
    ids: list[str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def send(self) -> Any:
        """Once, on a new connection; the parsed answer."""
        response = httpx.post(
            self.url, content=batch_body(self.ids), headers=self.headers, timeout=TIMEOUT_S
        )
        response.raise_for_status()
        return response.json()


def measure_batch(request: BatchRequest, server_pid: int, wait_quiet: float) -> Batch:
    """REPEATS times the same request on one connection; each waits for a quiet machine."""
    body = batch_body(request.ids)
    print(
        f"batch: {len(request.ids):,} {PURPOSE} checks in one checks(inputs) request "
        f"({len(body) / 1e6:.2f} MB), {REPEATS} times",
        flush=True,
    )
    walls: list[float] = []
    cpu: list[dict[str, float]] = []
    problems: list[str] = []
    with httpx.Client(timeout=TIMEOUT_S, headers=request.headers) as client:
        for _ in range(REPEATS):
            wait_for_quiet(wait_quiet)
            wall, figures, response, document = _timed(client, request.url, body, server_pid)
            walls.append(wall)
            cpu.append(figures)
            verdicts, found = _verdicts(response, document, len(request.ids))
            problems += [p for p in found if p not in problems]
    mix = Counter(v for v in verdicts if v is not None)
    if not (mix["RESTRICTED"] and mix["CLEAR"]):
        problems.append(f"trivial verdict mix {dict(mix)}: the AWARD rules were not exercised")
    batch = Batch(
        size=len(request.ids),
        distinct_subjects=len(set(request.ids)),
        request_bytes=len(body),
        response_bytes=len(response.content),
        wall_s=[round(w, 3) for w in walls],
        min_s=round(min(walls), 3),
        median_s=round(statistics.median(walls), 3),
        server_cpu_s=[c.get("server_cpu_s", 0.0) for c in cpu],
        postgres_cpu_s=[c.get("postgres_cpu_s", 0.0) for c in cpu],
        verdicts=dict(sorted(mix.items())),
        problems=problems,
    )
    wait_for_quiet(wait_quiet)
    batch.sequential = one_at_a_time(request, verdicts)
    return batch


def _timed(
    client: httpx.Client, url: str, body: bytes, server_pid: int
) -> tuple[float, dict[str, float], httpx.Response, Any]:
    """Wall time from sending to the parsed answer, and the CPU the hub and PostgreSQL
    used meanwhile."""
    with CpuMeter(server_pid) as meter:
        started = time.perf_counter()
        response = client.post(url, content=body)
        document = response.json()
        wall = time.perf_counter() - started
    figures = meter.figures if meter.available else {}
    print(
        f"    {wall:.3f} s  (hub CPU {figures.get('server_cpu_s', 0):.2f} s, "
        f"postgres {figures.get('postgres_cpu_s', 0):.2f} s)",
        flush=True,
    )
    return wall, figures, response, document


def _verdicts(
    response: httpx.Response, document: Any, size: int
) -> tuple[list[str | None], list[str]]:
    """The verdicts in the order asked, and what is wrong with the answer."""
    if response.status_code != 200 or not isinstance(document, dict):
        return [], [f"HTTP {response.status_code}: {response.text[:300]}"]
    problems = []
    errors = document.get("errors") or []
    if errors:
        problems.append(f"{len(errors)} GraphQL errors, the first: {errors[0].get('message')}")
    answers = (document.get("data") or {}).get("checks") or []
    if len(answers) != size:
        problems.append(f"{len(answers)} answers to {size} inputs")
    verdicts = [a["verdict"] if a else None for a in answers]
    if None in verdicts:
        problems.append(f"{verdicts.count(None)} answers are null")
    return verdicts, problems


def one_at_a_time(request: BatchRequest, batch_verdicts: list[str | None]) -> Sequential:
    """The baseline a caller without the batch field has: one request per subject, each
    waiting for the previous answer. Stops after SEQUENTIAL_CAP_S and extrapolates."""
    ids = request.ids
    bodies = [
        json.dumps({"query": SINGLE_QUERY, "variables": {"input": check_input(i)}}).encode()
        for i in ids
    ]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    print(
        f"one at a time: the same {len(ids):,} subjects, one check(input) request each "
        f"(at most {SEQUENTIAL_CAP_S:g} s)",
        flush=True,
    )
    errors = agree = done = 0
    with httpx.Client(timeout=30.0, headers=request.headers, limits=limits) as client:
        started = time.perf_counter()
        for index, body in enumerate(bodies):
            if time.perf_counter() - started >= SEQUENTIAL_CAP_S:
                break
            response = client.post(request.url, content=body)
            document = response.json()
            done += 1
            check = (document.get("data") or {}).get("check")
            if response.status_code != 200 or "errors" in document or not check:
                errors += 1
            elif index < len(batch_verdicts) and check["verdict"] == batch_verdicts[index]:
                agree += 1
        seconds = time.perf_counter() - started
    capped = done < len(ids)
    estimated = seconds * len(ids) / done if done else 0.0
    return Sequential(
        checks=done,
        seconds=round(seconds, 2),
        capped=capped,
        estimated_s=round(estimated, 1),
        ms_per_check=round(1000 * seconds / max(1, done), 2),
        errors=errors,
        agree_with_batch=agree,
    )
