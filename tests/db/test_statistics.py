"""The hub keeps its tables' statistics where PostgreSQL's autovacuum does not
(hub.db.statistics): autovacuum's rule as a pure function, and a round against a real
PostgreSQL database that leaves statistics the planner can use."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text
from support import Database

from hub.db.statistics import (
    Care,
    TableActivity,
    TableCare,
    WriterCare,
    autovacuum_is_off,
    care_needed,
    tend_tables,
)


def test_a_table_never_analysed_is_analysed_once_it_holds_rows() -> None:
    assert care_needed(TableActivity("t", 3, 0, 3, analyzed_ever=False)) is Care.ANALYZE
    assert care_needed(TableActivity("t", 0, 0, 0, analyzed_ever=False)) is None


def test_analyse_after_a_tenth_of_the_rows_changed_as_autovacuum_would() -> None:
    # autovacuum_analyze_threshold 50 + scale 0.1 × 10,000 live rows = 1,050.
    assert care_needed(TableActivity("t", 10_000, 0, 1_050, analyzed_ever=True)) is None
    assert care_needed(TableActivity("t", 10_000, 0, 1_051, analyzed_ever=True)) is Care.ANALYZE


def test_a_queue_table_full_of_dead_rows_is_vacuumed() -> None:
    # audit_pending in the soak: a few hundred live rows, a hundred thousand deleted ones.
    assert care_needed(TableActivity("t", 300, 110_000, 0, analyzed_ever=True)) is Care.VACUUM
    assert care_needed(TableActivity("t", 1_000, 250, 0, analyzed_ever=True)) is None


async def _statistics_rows(db: Database, table: str) -> int:
    async with db.engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT count(*) FROM pg_stats WHERE tablename = :t"), {"t": table}
        )
    return int(found or 0)


async def _write_counted(db: Database, statement: str) -> None:
    """`statement`, committed, and the server's count of the changes made visible now."""
    async with db.engine.begin() as connection:
        await connection.execute(text(statement))
        await connection.execute(text("SELECT pg_stat_force_next_flush()"))


async def test_a_round_gathers_the_statistics_the_planner_needs(db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("SQLite's planner works without gathered statistics")
    await _write_counted(
        db,
        "INSERT INTO agencies (uscc, name, region_code, level, family, created_at) "
        "SELECT lpad(g::text, 18, '0'), 'agency ' || g, '361200', 'CITY', 'OTHER', now() "
        "FROM generate_series(1, 300) g",
    )
    # The server counts changes asynchronously: a round sees them within a second or so.
    deadline = time.monotonic() + 10
    done: dict[str, Care] = {}
    while "agencies" not in done and time.monotonic() < deadline:
        done |= await tend_tables(db.engine, throttled=True)  # as a serving process runs it
        await asyncio.sleep(0.2)
    assert done.get("agencies") in (Care.ANALYZE, Care.VACUUM)
    assert await _statistics_rows(db, "agencies") > 0


async def test_the_serving_round_does_nothing_on_sqlite(db: Database) -> None:
    if db.backend != "sqlite":
        pytest.skip("on PostgreSQL it depends on the server's autovacuum setting")
    care = TableCare(db.engine, interval=0.01)
    await asyncio.wait_for(care.run(), timeout=5)  # returns after its nap: nothing to keep


async def test_a_stopping_process_ends_the_round_during_its_first_nap(db: Database) -> None:
    care = TableCare(db.engine, interval=60)
    running = asyncio.create_task(care.run())
    await asyncio.sleep(0.05)
    care.stop()
    await asyncio.wait_for(running, timeout=2)


async def test_a_filling_command_tends_tables_from_its_first_commits(db: Database) -> None:
    if not await autovacuum_is_off(db.engine):
        pytest.skip(
            "nothing for a command to keep: SQLite plans without statistics, or the "
            "server's autovacuum keeps them"
        )
    now = [0.0]
    care = WriterCare(db.engine, interval=30, clock=lambda: now[0])
    await _write_counted(
        db,
        "INSERT INTO organizations (uscc, name, region_code, created_at) "
        "SELECT lpad(g::text, 18, '0'), '单位' || g, '361200', now() "
        "FROM generate_series(1, 300) g",
    )
    # Rounds soon after one another at first: the server counts a commit a moment late.
    deadline = time.monotonic() + 10
    while "organizations" not in (done := await care.after_commit()):
        if time.monotonic() > deadline:
            break
        now[0] += 1.0
        await asyncio.sleep(0.2)
    assert done.get("organizations") is Care.ANALYZE
    assert await _statistics_rows(db, "organizations") > 0
    # Then at most every interval, however much the command writes in between.
    await _write_counted(db, "UPDATE organizations SET name = name || '局'")
    assert await care.after_commit() == {}
    now[0] += 30
    assert (await care.after_commit()).get("organizations") in (Care.ANALYZE, Care.VACUUM)
