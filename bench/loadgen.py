"""Load generation: wrk with a generated Lua script (installed with apt if missing), or the
Python fallback bench/pyload.py; both print one `BENCH {...}` line parsed into a Run."""

from __future__ import annotations

import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import ROOT, dataset

PLACEHOLDER = "@@ID_NUMBER@@"
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


def sample_ids(data: dataset.Dataset, size: int, seed: int, *, distinct: bool = False) -> list[str]:
    """~70 % persons with records, ~30 % registered persons without, shuffled; `distinct`
    draws without replacement as long as the data set has enough persons."""
    rng = random.Random(seed + 1)
    with_ids = data.id_numbers[: data.with_records]
    without_ids = data.id_numbers[data.with_records :]

    def draw(pool: list[str], count: int) -> list[str]:
        if distinct and count <= len(pool):
            return rng.sample(pool, count)
        return [rng.choice(pool) for _ in range(count)]

    n_with = round(size * SHARE_WITH_RECORDS) if without_ids else size
    picked = draw(with_ids, n_with)
    picked += draw(without_ids, size - n_with) if without_ids else []
    rng.shuffle(picked)
    return picked
