"""Table statistics and dead rows when nobody else keeps them.

PostgreSQL's planner chooses by statistics that ANALYZE gathers, and VACUUM reclaims the rows
that queue tables (audit_pending, the feed's unpositioned events) leave behind. autovacuum
does both; on a server where it is off (a test server tuned for speed, or an operator's
mistake) a hub that has served a few minutes plans with no statistics at all: the person
batch of a check and submitRecords' lookup by 文号 read the whole table, and each request
is slower than the last (issue 15's soak: p50 17 → 44 ms in ten minutes). There, the hub
does autovacuum's job for its own tables, by autovacuum's own rule, every minute. A command
that fills tables (`hub sync`) does it too, from its first chunk on (`WriterCare`).

VACUUM runs with TRUNCATE false and SKIP_LOCKED: it never takes the exclusive lock that
cutting a table's tail needs, and never waits for one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("hub")

# autovacuum's defaults (autovacuum_{analyze,vacuum}_{threshold,scale_factor}).
ANALYZE_THRESHOLD, ANALYZE_SCALE = 50, 0.1
VACUUM_THRESHOLD, VACUUM_SCALE = 50, 0.2
# autovacuum_vacuum_cost_delay's default: autovacuum sleeps this long every 200 units of I/O
# cost; a plain VACUUM or ANALYZE does not sleep at all.
AUTOVACUUM_COST_DELAY = "2ms"


class Care(Enum):
    ANALYZE = "ANALYZE"
    VACUUM = "VACUUM (ANALYZE, SKIP_LOCKED, TRUNCATE false)"


@dataclass(frozen=True)
class TableActivity:
    name: str
    live_rows: int
    dead_rows: int
    changed_since_analyze: int
    analyzed_ever: bool


def care_needed(table: TableActivity) -> Care | None:
    """What autovacuum would do to this table now. A table never analysed is analysed as
    soon as it holds rows: the planner would otherwise guess."""
    if table.dead_rows > VACUUM_THRESHOLD + VACUUM_SCALE * table.live_rows:
        return Care.VACUUM
    if not table.analyzed_ever and table.live_rows + table.changed_since_analyze > 0:
        return Care.ANALYZE
    if table.changed_since_analyze > ANALYZE_THRESHOLD + ANALYZE_SCALE * table.live_rows:
        return Care.ANALYZE
    return None


_ACTIVITY = text(
    "SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze,"
    " (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
    " FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname"
)


async def tend_tables(
    engine: AsyncEngine, stopping: Callable[[], bool] = lambda: False, *, throttled: bool = False
) -> dict[str, Care]:
    """One round: the tables of the hub's schema that need it are vacuumed or analysed, one
    statement each (a stopping server ends the round between two). `throttled`: paced as
    autovacuum paces itself, for a process that answers requests meanwhile (a VACUUM at
    full speed of a million changed rows stalled checks for seconds). Returns what was done
    to which table."""
    done: dict[str, Care] = {}
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        # A large table may take longer than a request may.
        await connection.execute(text("SET statement_timeout = 0"))
        if throttled:
            await connection.execute(text(f"SET vacuum_cost_delay = '{AUTOVACUUM_COST_DELAY}'"))
        rows = (await connection.execute(_ACTIVITY)).all()
        for name, live, dead, changed, analyzed in rows:
            care = care_needed(TableActivity(name, live, dead, changed, analyzed))
            if care is None or stopping():
                continue
            quoted = connection.dialect.identifier_preparer.quote(name)
            await connection.execute(text(f"{care.value} {quoted}"))
            done[name] = care
    return done


async def autovacuum_is_off(engine: AsyncEngine) -> bool:
    if engine.dialect.name != "postgresql":
        return False  # SQLite plans without gathered statistics and reuses freed pages
    async with engine.connect() as connection:
        return (await connection.scalar(text("SHOW autovacuum"))) == "off"


class TableCare:
    """The serving process's round of `tend_tables`, every `interval` seconds, while the
    server's autovacuum is off (asked once, at the first round)."""

    what = "table statistics"

    def __init__(self, engine: AsyncEngine, interval: float = 60.0) -> None:
        self._engine = engine
        self._interval = interval
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        # Like autovacuum's naptime, the first round waits an interval: a process that lives
        # less than that (a test, a one-off) leaves the tables to the next one.
        if await self._nap():
            return
        try:
            if not await autovacuum_is_off(self._engine):
                return
        except Exception as error:  # no database yet: autovacuum is then someone else's job
            log.warning("could not ask the server about autovacuum: %s", type(error).__name__)
            return
        log.warning(
            "PostgreSQL's autovacuum is off: this process analyses and vacuums the hub's "
            "tables itself every %.0f s (turn autovacuum on in production)",
            self._interval,
        )
        while True:
            try:
                done = await tend_tables(self._engine, self._stop.is_set, throttled=True)
                if done:
                    tended = ", ".join(f"{t} {c.name}" for t, c in done.items())
                    log.info("tables tended: %s", tended)
            except Exception as error:  # the next round tries again
                log.warning("%s failed: %s", self.what, type(error).__name__)
            if await self._nap():
                return

    async def _nap(self) -> bool:
        """Waits an interval; True when the process is stopping."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._interval):
                await self._stop.wait()
        return self._stop.is_set()


class WriterCare:
    """`tend_tables` for a command that fills tables (an ingest), called after each of its
    commits: right after the first one, then 1, 2, 4 … seconds on, then every `interval`
    seconds — while the server's autovacuum is off. Without it, the lookups of existing
    records and persons are planned for the empty tables the command started with, and on
    that plan every chunk read every record the stream already had (a 200,000-row ingest
    ran at ~1,000 rows/s until the bench's first ANALYZE, ~5,000 after)."""

    def __init__(
        self,
        engine: AsyncEngine,
        interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._clock = clock
        self._off: bool | None = None
        self._next = 0.0
        self._wait = 0.5

    async def after_commit(self) -> dict[str, Care]:
        """What was done to which table (nothing, most of the time)."""
        if self._off is None:
            self._off = await autovacuum_is_off(self._engine)
        if not self._off or self._clock() < self._next:
            return {}
        done = await tend_tables(self._engine)
        # Rounds 1, 2, 4 … seconds apart up to the interval: the tables grow fastest, from
        # nothing, at the start, and the server counts a commit's changes a moment late.
        self._wait = min(self._interval, self._wait * 2)
        self._next = self._clock() + self._wait
        if done:
            log.info("tables tended: %s", ", ".join(f"{t} {c.name}" for t, c in done.items()))
        return done
