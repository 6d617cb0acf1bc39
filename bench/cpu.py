"""Where the machine's CPU goes during a measured run, from Linux /proc; and waiting for a
shared machine to be quiet before measuring."""

from __future__ import annotations

import os
import time
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_times(pid: int) -> tuple[int, int]:
    """(user, system) ticks of a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0, 0
    return int(fields[11]), int(fields[12])


def _tree_times(pid: int) -> tuple[int, int]:
    """(user, system) ticks of a process and its children: the workers of a `--workers N`
    uvicorn are children of its supervisor."""
    user, system = _proc_times(pid)
    for child in _children(pid):
        child_user, child_system = _proc_times(child)
        user, system = user + child_user, system + child_system
    return user, system


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            except (OSError, IndexError):
                continue
            if parent == str(pid):
                found.append(int(entry.name))
    return found


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
            self._server_user, self._server_system = _tree_times(self.server_pid)
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
        user, system = _tree_times(self.server_pid)
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
