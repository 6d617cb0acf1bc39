"""The cyclic garbage collector of a serving process, set for a server's life.

A request allocates many short-lived objects (a batch of 10,000 checks: over a million), and
with the interpreter's defaults each 700 allocations start a young collection while every
full one walks all the modules, schema and rule-set objects loaded at start-up, which never
become garbage. Measured on a 10,000-check batch (bench/README.md): 2.47 s → 1.9 s. So, once
the runtime is built: what is alive then is frozen (left out of every collection), and young
collections run every 10,000 allocations. Reference counting still frees everything at once;
only cycles wait a little longer."""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
_tuned = False


def tune_for_serving() -> None:
    """Once per process (a test session builds many apps: the first one sets it)."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
