"""How the hub's processes have their cyclic garbage collected: a serving process for its
whole life, bulk work (`hub sync`, `hub lifecycle run`, the ingest's reader process) for the
work's duration.

Both allocate many short-lived objects — a request (a batch of 10,000 checks: over a
million), a file's rows — nearly all acyclic and freed by their reference counts at once.
With the interpreter's defaults every 700 allocations start a young collection, and every
full one walks all the modules, schema and rule-set objects loaded at start-up, which never
become garbage. So what is alive once start-up is done is frozen (left out of every
collection, once per process), and young collections run every 10,000 allocations; cycles
wait a little longer. Measured: a 10,000-check batch 2.47 s → 1.9 s (bench/README.md); on
100,000 rows the collector took 3.1 s of `hub sync`'s 13.2 s of CPU, and with these
settings the whole run took 10.7 s (bench.ingest, 2026-12-06, with the reader process);
`hub lifecycle run` on 1,000,000 records 61.5 and 66.7 s → 55.0 and 51.1 s (measured with
middle and full collections rarer too, thresholds 10,000/50/100)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG_THRESHOLD = 10_000
_frozen = False
_serving = False


def tune_for_serving() -> None:
    """For the rest of the process (a test session builds many apps: the first one sets it)."""
    global _serving
    _freeze_start_up()
    if not _serving:
        _serving = True
        _collect_young_rarely()


@contextlib.contextmanager
def collected_for_bulk_work() -> Iterator[None]:
    """For the work's duration: a process that goes on (a test calling the CLI) has its
    thresholds back afterwards, unless it has become a serving process meanwhile. What was
    frozen stays frozen, as in a serving process: other code may have frozen its own."""
    _freeze_start_up()
    thresholds = gc.get_threshold()
    _collect_young_rarely()
    try:
        yield
    finally:
        if not _serving:
            gc.set_threshold(*thresholds)


def _freeze_start_up() -> None:
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def _collect_young_rarely() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
