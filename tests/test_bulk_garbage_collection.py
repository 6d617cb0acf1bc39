"""The collector settings of bulk work (`hub sync`, `hub lifecycle run`, the ingest's reader)
hold for the work; its thresholds are undone after it, so a process that goes on (a test
calling the CLI, a program embedding it) gets its young collections back as they were. What
start-up built stays frozen, as in a serving process (hub.garbage)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import hub.garbage
from hub.garbage import YOUNG_THRESHOLD, collected_for_bulk_work


@pytest.fixture(autouse=True)
def not_serving(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As in `hub sync`: no app of this test process has tuned the collector for serving
    (an earlier test may have), and the process's thresholds are put back afterwards."""
    monkeypatch.setattr(hub.garbage, "_serving", False)
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


def test_the_start_up_heap_is_frozen_and_young_collections_are_rarer_during_the_work() -> None:
    gc.set_threshold(700, 10, 10)
    before = gc.get_threshold()
    with collected_for_bulk_work():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() > 0


def test_the_thresholds_are_restored_when_the_work_fails() -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), collected_for_bulk_work():
        raise RuntimeError("the database went away")
    assert gc.get_threshold() == (700, 10, 10)


def test_what_another_part_of_the_process_froze_stays_frozen() -> None:
    frozen = gc.get_freeze_count()
    with collected_for_bulk_work():
        pass
    assert gc.get_freeze_count() >= frozen
