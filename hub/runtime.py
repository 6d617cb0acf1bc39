"""The runtime: what the hub builds once and hands to every request or command.

One web process builds it in its lifespan; one CLI command builds it for the command's whole
run (one event loop, one engine, keys read once). Services receive the pieces they need; only
the edges hold the Runtime itself."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub import clock
from hub.agencies.feeds import CoverageCache
from hub.alerts.rules import current_rules
from hub.alerts.service import scan
from hub.audit.chain import chain_key
from hub.audit.sealing import Sealer
from hub.audit.service import Caller, open_trail, recorded_any
from hub.auth.actor import Actor
from hub.checks.rules import RuleSet
from hub.checks.ruleset import current_ruleset
from hub.db.base import utcnow
from hub.db.engine import create_engine, session_factory
from hub.db.statistics import TableCare
from hub.feed.sequencer import (
    Sequencer,
    hold_events_until_commit,
    position_held_events,
    wrote_events,
)
from hub.feed.service import Reader
from hub.keys import Keys, load_keys
from hub.lifecycle.calendar import WorkCalendar, load_calendar
from hub.lifecycle.service import end_publicity, note_run_done, publicity_candidates, run_done
from hub.settings import Settings
from hub.subjects.pii import PiiCipher

log = logging.getLogger("hub")


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    keys: Keys
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    pii: PiiCipher
    ruleset: RuleSet
    coverage: CoverageCache
    sealer: Sealer
    # Gives committed change-feed events their positions (hub.feed.sequencer).
    sequencer: Sequencer
    calendar: WorkCalendar
    # Today in China: the day workflows count their deadlines from (tests fix it).
    today: Callable[[], date] = clock.today
    # The moment now (UTC): what a feed cursor's age is measured against (tests fix it).
    now: Callable[[], datetime] = utcnow

    @classmethod
    def build(cls, settings: Settings, keys: Keys | None = None) -> Runtime:
        """Reads the keys and the rule set and creates the engine; connects to nothing yet."""
        keys = keys or load_keys(settings)
        engine = create_engine(
            settings.database_url, statement_timeout=settings.statement_timeout_seconds
        )
        sessions = session_factory(engine)
        return cls(
            settings=settings,
            keys=keys,
            engine=engine,
            sessions=sessions,
            pii=PiiCipher(keys.pii),
            ruleset=current_ruleset(),
            coverage=CoverageCache(),
            sealer=Sealer(sessions, chain_key(keys.pii.hmac_key)),
            sequencer=Sequencer(sessions),
            calendar=load_calendar(settings.holidays),
        )

    @contextlib.asynccontextmanager
    async def transaction(self, caller: Caller) -> AsyncIterator[AsyncSession]:
        """One audited transaction for an edge that is not a web request (a CLI command, a
        job): committed on leaving; what it recorded is sealed into the chain and the record
        events it wrote are given feed positions at once."""
        async with self.sessions.begin() as session:
            open_trail(session, caller)
            yield session
        if recorded_any(session):
            await self.sealer.seal_all()
        if wrote_events(session):
            await self.sequencer.drain()

    async def close(self) -> None:
        """Seals what the last requests recorded and positions the feed events they wrote,
        then closes the connections. A database that cannot be reached does not stop the
        shutdown: what is pending stays recorded, and the next process (or `hub audit
        verify`) finishes it."""
        try:
            for rounds in (self.sealer, self.sequencer):
                try:
                    await rounds.drain()
                except Exception as error:  # the database went away; the rows wait
                    log.warning("at shutdown, %s failed: %s", rounds.what, type(error).__name__)
        finally:
            await self.engine.dispose()


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, keys: Keys | None = None, *, background_sealing: bool = False
) -> AsyncIterator[Runtime]:
    """The runtime for the duration of the block. A serving process seals and positions
    feed events in the background (`background_sealing`), and keeps table statistics where
    the server does not (hub.db.statistics); a command seals and positions after each
    transaction and on leaving."""
    runtime = Runtime.build(settings, keys)
    workers = (runtime.sealer, runtime.sequencer, TableCare(runtime.engine))
    running = [asyncio.create_task(w.run()) for w in workers] if background_sealing else []
    try:
        yield runtime
    finally:
        for worker in workers:
            worker.stop()
        for task in running:
            await task
        await runtime.close()


async def note_publicity(
    runtime: Runtime, stopping: Callable[[], bool] = lambda: False, share: float = 1.0
) -> int:
    """One lifecycle run (`hub lifecycle run`, and once when a server starts): the end of
    each publicity window noted as an event, one transaction per page of records — a long
    run commits as it goes, and a stopping server ends it between pages, never in the
    middle of a statement. With `share` < 1 (a serving process) the run keeps to about that
    share of the time, waiting after each page: on 10 million records the run is minutes of
    CPU, and at full speed it starved the requests it shares the process with. Returns how
    many ended. Each page positions its own feed events as it commits (hub.feed.sequencer):
    a run that ends the publicity of millions of records writes each event row once."""
    ended, after = 0, 0
    while not stopping():
        began = time.perf_counter()
        async with runtime.sessions.begin() as session:
            hold_events_until_commit(session)
            page = await publicity_candidates(session, after)
            if not page:
                break
            ended += await end_publicity(session, runtime.ruleset, runtime.today(), page)
            await position_held_events(session)
        after = page[-1]
        if share < 1:
            await asyncio.sleep((time.perf_counter() - began) * (1 / share - 1))
    if not stopping():
        async with runtime.sessions.begin() as session:
            await note_run_done(session, runtime.today(), ended)
    return ended


async def raise_warnings(runtime: Runtime) -> int:
    """The 监测预警 scan of today (part of each lifecycle run): how many warnings are new."""
    async with runtime.sessions.begin() as session:
        return len(await scan(session, current_rules(), runtime.today()))


# The start-up run's share of a serving process's time (note_publicity).
START_UP_SHARE = 0.2


async def note_publicity_at_start(runtime: Runtime, stopping: Callable[[], bool]) -> None:
    """The start-up lifecycle run, in the background: a failure is logged, never stops the
    server."""
    try:
        async with runtime.sessions() as session:
            if await run_done(session, runtime.today()):
                return  # today's run is done (cron, or an earlier start): ends count in days
        ended = await note_publicity(runtime, stopping, share=START_UP_SHARE)
        raised = 0 if stopping() else await raise_warnings(runtime)
    except Exception as error:  # the database is not there yet: cron's next run catches up
        log.warning("lifecycle run at start-up failed: %s", type(error).__name__)
        return
    if ended or raised:
        log.info(
            "lifecycle run at start-up: publicity ended for %d record(s), %d new warning(s)",
            ended,
            raised,
        )


def feed_reader(runtime: Runtime, actor: Actor) -> Reader:
    """Who reads the change feed, judged now: the API's `changes` and `hub publish` alike."""
    return Reader(
        actor=actor,
        pii=runtime.pii,
        hub=runtime.settings.issuer,
        today=runtime.today(),
        now=runtime.now(),
        retention_days=runtime.settings.feed_retention_days,
    )
