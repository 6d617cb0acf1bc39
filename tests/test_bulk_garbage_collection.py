"""The collector settings of bulk work (`hub sync`, `hub lifecycle run`, the ingest's reader)
hold for the work and are undone after it: a process that goes on (a test calling the CLI,
a program embedding it) gets its collector back as it was."""

from __future__ import annotations

import gc

import pytest

from hub.garbage import collected_for_bulk_work


def test_the_start_up_heap_is_frozen_and_young_collections_are_rarer_during_the_work() -> None:
    before = gc.get_threshold()
    with collected_for_bulk_work():
        assert gc.get_threshold() == (10_000, 50, 100)
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_the_work_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collected_for_bulk_work():
        raise RuntimeError("the database went away")
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)


def test_what_the_host_froze_stays_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collected_for_bulk_work():
            assert gc.get_freeze_count() >= frozen
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
