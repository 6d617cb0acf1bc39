"""One `hub sync …` run as a child process, watched from outside: wall time, peak RSS, CPU
of the child and of PostgreSQL, progress lines, a time limit (Linux: /proc, wait4). And the
ANALYZE that autovacuum would run beside it, for a server whose autovacuum is off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench import ROOT
from bench.cpu import _TICK, _children, _machine_ticks, _postgres_ticks, _proc_ticks

# (seconds since start, the child's current RSS in bytes or None) → a progress line or None
Progress = Callable[[float, int | None], str | None]
# Called on every poll with the seconds since start: work the bench does beside the child.
Tick = Callable[[float], None]

RSS_METHOD = (
    "ru_maxrss of the hub process from os.wait4() in a small launcher (python -c) that forks "
    "and execs it; cross-checked against VmHWM polled from /proc/<pid>/status every 0.25 s"
)
# The launcher is there because Linux carries a process's memory high-water mark across
# fork/vfork and exec into ru_maxrss: a command spawned straight from this bench process
# (hundreds of MB after scanning the CSV) would report the bench's peak as its own.
_LAUNCHER = """
import os, sys
report, command = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
with open(report, "w") as out:
    out.write(f"{pid}\\n")
    out.flush()
    _, status, usage = os.wait4(pid, 0)
    out.write(f"{usage.ru_maxrss} {usage.ru_utime} {usage.ru_stime}\\n")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""
# Client connections of the bench itself (progress, ANALYZE, sampling) carry this name, so
# that the sampling of what PostgreSQL does for the hub leaves them out.
APPLICATION_NAME = "bench.ingest"


@dataclass
class ChildRun:
    command: list[str]
    exit_code: int
    wall_s: float
    peak_rss_bytes: int  # ru_maxrss from wait4
    vmhwm_bytes: int | None  # the last VmHWM seen in /proc before the child ended
    # The hub's own child processes (its reader, the fork server it starts them from):
    # wait4 does not count them (the reader is the fork server's child), so they are polled.
    helper_cpu_s: float
    helper_peak_rss_bytes: int  # the sum of their VmHWM, as last seen
    user_cpu_s: float
    system_cpu_s: float
    postgres_cpu_s: float  # approximate: a backend's last < 1 s is lost if it exits
    machine_busy_pct: float
    stdout_path: Path
    stderr_path: Path

    def tail(self, lines: int = 20) -> str:
        text = self.stdout_path.read_text(errors="replace").rstrip()
        errors = self.stderr_path.read_text(errors="replace").rstrip()
        shown = "\n".join(text.splitlines()[-lines:])
        if errors:
            shown += "\n[stderr]\n" + "\n".join(errors.splitlines()[-lines:])
        return shown

    @property
    def total_peak_rss_bytes(self) -> int:
        """The memory the ingest held at most: the hub's peak and its helpers' peaks."""
        return self.peak_rss_bytes + self.helper_peak_rss_bytes


class Child:
    """The running child, so that the clean-up can stop it (its process group: py-spy's
    child too) after Ctrl-C or a failure."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline:
                if os.waitpid(process.pid, os.WNOHANG)[0]:
                    process.returncode = -sig
                    return
                time.sleep(0.1)


def _status_bytes(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass
class _Watch:
    """What run_child samples while the command runs: its pid (once the launcher wrote
    it), its peak RSS, PostgreSQL's backends' CPU ticks, and the progress line."""

    report: Path
    started: float
    postgres_seen: dict[int, int]
    progress: Progress | None
    every: float
    child: int | None = None
    vmhwm: int | None = None
    # pid → (CPU ticks, VmHWM bytes) of the child's descendants, as last seen (≤ 1 s old).
    helpers: dict[int, tuple[int, int]] = field(default_factory=dict)
    next_postgres: float = 0.0
    next_progress: float = 0.0

    def __post_init__(self) -> None:
        self.next_postgres = self.started + 1.0
        self.next_progress = self.started + self.every

    def sample(self, now: float) -> None:
        if self.child is None:
            self.child = _child_pid(self.report)
        if self.child is not None:
            self.vmhwm = _status_bytes(self.child, "VmHWM") or self.vmhwm
        if now >= self.next_postgres:
            self.note_postgres()
            self.note_helpers()
            self.next_postgres = now + 1.0
        if self.progress and now >= self.next_progress:
            rss = _status_bytes(self.child, "VmRSS") if self.child is not None else None
            line = self.progress(now - self.started, rss)
            if line:
                print(line, flush=True)
            self.next_progress = now + self.every

    def note_helpers(self) -> None:
        if self.child is None:
            return
        pending = _children(self.child)
        while pending:
            pid = pending.pop()
            ticks, hwm = _proc_ticks(pid), _status_bytes(pid, "VmHWM")
            if ticks or hwm:
                seen = self.helpers.get(pid, (0, 0))
                self.helpers[pid] = (max(ticks, seen[0]), max(hwm or 0, seen[1]))
            pending.extend(_children(pid))

    def note_postgres(self) -> None:
        for p, ticks in _postgres_ticks().items():
            self.postgres_seen[p] = max(ticks, self.postgres_seen.get(p, 0))


def run_child(
    command: list[str],
    env: dict[str, str],
    holder: Child,
    log_dir: Path,
    *,
    name: str,
    timeout: float,
    progress: Progress | None = None,
    every: float = 15.0,
    tick: Tick | None = None,
) -> ChildRun:
    """Runs `command` to its end (or kills it after `timeout` s and raises TimeoutError),
    through the launcher; its figures are the command's own."""
    stdout_path, stderr_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    report = log_dir / f"{name}.rusage"
    report.unlink(missing_ok=True)
    postgres_before = _postgres_ticks()
    total0, idle0, _ = _machine_ticks()
    launcher = [sys.executable, "-c", _LAUNCHER, str(report), *command]
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            launcher, env=env, stdout=out, stderr=err, cwd=ROOT, start_new_session=True
        )
        holder.process = process
        watch = _Watch(report, started, dict(postgres_before), progress, every)
        while True:
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            now = time.perf_counter()
            if pid:
                break
            watch.sample(now)
            if tick:
                tick(now - started)
            if now - started > timeout:
                holder.stop()
                raise TimeoutError(f"{name} did not finish within {timeout:.0f} s: stopped")
            time.sleep(0.25)
        wall = now - started
    process.returncode = os.waitstatus_to_exitcode(status)
    holder.process = None
    watch.note_postgres()
    seen = watch.postgres_seen
    postgres = sum(t - postgres_before.get(p, 0) for p, t in seen.items()) / _TICK
    total1, idle1, _ = _machine_ticks()
    maxrss, user, system = _usage(report, name)
    return ChildRun(
        command=command,
        exit_code=process.returncode,
        wall_s=wall,
        peak_rss_bytes=maxrss,
        vmhwm_bytes=watch.vmhwm,
        helper_cpu_s=sum(ticks for ticks, _ in watch.helpers.values()) / _TICK,
        helper_peak_rss_bytes=sum(hwm for _, hwm in watch.helpers.values()),
        user_cpu_s=user,
        system_cpu_s=system,
        postgres_cpu_s=postgres,
        machine_busy_pct=100 * (1 - (idle1 - idle0) / max(1, total1 - total0)),
        stdout_path=stdout_path,
        stderr_path=stderr_path,
    )


def _usage(report: Path, name: str) -> tuple[int, float, float]:
    """The launcher's report of the command: peak RSS (bytes), user and system CPU (s)."""
    lines = report.read_text().split("\n") if report.exists() else []
    if len(lines) < 2 or len(lines[1].split()) != 3:
        raise RuntimeError(f"{name}: the launcher reported no resource usage:\n{lines}")
    maxrss, user, system = lines[1].split()
    return int(maxrss) * 1024, float(user), float(system)  # maxrss in KiB on Linux


def _child_pid(report: Path) -> int | None:
    try:
        first, newline, _ = report.read_text().partition("\n")
    except OSError:
        return None
    return int(first) if newline and first.isdigit() else None


class AutoAnalyze:
    """ANALYZE as autovacuum would run it, for a server whose autovacuum is off: every
    `autovacuum_naptime`, each table of the database whose rows changed since its last
    analyze exceed `autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × rows`.
    Without it a table filled by the run never gets statistics, and the plans the hub's
    connection caches stay the ones made for an empty table."""

    def __init__(self, dsn: str, settings: dict[str, str]) -> None:
        self.dsn = dsn
        self.naptime = float(settings["autovacuum_naptime"])
        self.threshold = float(settings["autovacuum_analyze_threshold"])
        self.scale = float(settings["autovacuum_analyze_scale_factor"])
        self.next_at = self.naptime
        self.runs: list[dict[str, object]] = []

    @property
    def phase(self) -> str:
        return "after the first ANALYZE" if self.runs else "before the first ANALYZE"

    def __call__(self, elapsed: float) -> None:
        if elapsed < self.next_at:
            return
        self.next_at = elapsed + self.naptime
        started = time.perf_counter()
        with psycopg.connect(
            self.dsn, autocommit=True, connect_timeout=5, application_name=APPLICATION_NAME
        ) as connection:
            tables = connection.execute(
                "SELECT s.relname, s.n_mod_since_analyze, greatest(c.reltuples, 0) "
                "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
            ).fetchall()
            due = sorted(
                name
                for name, changed, rows in tables
                if changed > self.threshold + self.scale * rows
            )
            for name in due:
                connection.execute(f'ANALYZE "{name}"')
        seconds = time.perf_counter() - started
        self.runs.append({"at_s": round(elapsed, 1), "tables": due, "seconds": round(seconds, 2)})
        if due:
            print(f"  {elapsed:6.0f} s  ANALYZE {', '.join(due)} ({seconds:.2f} s)", flush=True)
