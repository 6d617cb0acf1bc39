"""Work a hub process does in rounds behind its requests: sealing audit rows, numbering
change-feed events. Each round drains what is waiting, one batch per transaction; a round
runs when woken (after a request that left work) and every few seconds (for work other
processes left)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("hub")

Batch = Callable[[AsyncSession], Awaitable[int]]


class Rounds:
    """`batch(session)` does up to `batch_size` items in the session's transaction and
    returns how many; a round repeats it until less than a full batch was done."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        batch: Batch,
        *,
        batch_size: int,
        what: str,
        interval: float = 5.0,
        linger: float = 0.05,
    ) -> None:
        self._sessions = sessions
        self._batch = batch
        self._batch_size = batch_size
        self.what = what
        self._interval = interval
        self._linger = linger
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Ends `run` after the round in progress: never cancelled mid-transaction, which
        would leave a connection holding the database's write lock."""
        self._stopping = True
        self._wake.set()

    async def drain(self) -> int:
        """Does everything waiting now; one batch per transaction. Returns how many."""
        total = 0
        async with self._lock:
            while True:
                async with self._sessions.begin() as session:
                    done = await self._batch(session)
                total += done
                if done < self._batch_size:
                    return total

    async def run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._wake.wait()
            if self._stopping:
                return
            # Woken by a request, wait a moment before the round: the requests that follow
            # join it, one round for a burst instead of a round (a transaction) per request.
            await asyncio.sleep(self._linger)
            self._wake.clear()
            try:
                await self.drain()
            except Exception as error:  # the work stays waiting; the next round tries again
                log.warning("%s failed: %s", self.what, type(error).__name__)
