"""How a process doing bulk work (`hub sync`, `hub lifecycle run`, the ingest's reader
process) has its cyclic garbage collected."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collected_for_bulk_work() -> Iterator[None]:
    """Bulk work allocates dozens of objects per row, nearly all acyclic and freed by their
    reference counts as soon as the row is stored. With the collector's defaults (a young
    collection every 700 allocations, the whole heap every ~70,000) it still walked every
    object alive — imported modules, the ORM's mappings — dozens of times per 100,000 rows:
    3.1 s of `hub sync`'s 13.2 s of CPU (bench.ingest, 2026-12-06). So what is alive when
    the work starts is frozen out of the collector's reach, and young collections come
    every 10,000 allocations; cyclic garbage is still collected, later (memory stays flat:
    the bench's peak RSS). `hub lifecycle run` on 1,000,000 records: 61.5 and 66.7 s before,
    55.0 and 51.1 s after. The collector is as it was again when the work ends, for a
    process that goes on (a test calling the CLI)."""
    thresholds = gc.get_threshold()
    # A host that froze objects of its own keeps them frozen, and only they stay frozen.
    freezing = gc.get_freeze_count() == 0
    gc.collect()
    if freezing:
        gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()
