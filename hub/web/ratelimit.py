"""Per-caller rate limits: a client by its client id, an anonymous caller by its address.

Each limit is a token bucket (`rate` a second, up to `burst` at once), kept as GCRA: one
number per caller, the theoretical arrival time (TAT) of its next request. Where the TATs
live is the store:

- `memory` (the default): this process's memory. Served by N processes, a caller may make N
  times its limit.
- `database`: a row per caller in the hub's database (`rate_limits`), updated by one atomic
  upsert per request: every process and machine on the database shares the limits.
- `redis://…`: a key per caller in Redis, updated by one Lua script per request: shared
  the same way, at less cost to the database."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.settings import RateLimit

# Callers not seen for the longest time are forgotten past this many (a forgotten caller
# starts again with a full bucket): memory stays bounded however many addresses call.
MAX_CALLERS = 10_000


class Store(Protocol):
    async def take(self, key: str, interval: float, window: float, now: float) -> float:
        """Spends one request of `key` if its bucket allows; returns 0, or the seconds to
        wait. `interval` = 1/rate; `window` = burst × interval."""
        ...

    async def close(self) -> None: ...


def gcra(tat: float | None, interval: float, window: float, now: float) -> tuple[float, float]:
    """(the new TAT to store, the wait): the whole algorithm, for every store."""
    start = max(tat if tat is not None else now, now)
    new = start + interval
    if new - now > window:
        return start, new - now - window
    return new, 0.0


class MemoryStore:
    def __init__(self, max_callers: int = MAX_CALLERS) -> None:
        self._tats: OrderedDict[str, float] = OrderedDict()
        self._max_callers = max_callers

    async def close(self) -> None:
        return None

    async def take(self, key: str, interval: float, window: float, now: float) -> float:
        tat, wait = gcra(self._tats.pop(key, None), interval, window, now)
        self._tats[key] = tat  # now the most recently used
        if len(self._tats) > self._max_callers:
            self._tats.popitem(last=False)
        return wait


# One statement: the row is locked by the upsert, so concurrent requests of one caller on
# any process queue on it and each sees the TAT the one before left. The update happens only
# when the request is allowed; no row back means limited.
_UPSERT = text(
    "INSERT INTO rate_limits AS r (key, tat) VALUES (:key, CAST(:next AS DOUBLE PRECISION)) "
    "ON CONFLICT (key) DO UPDATE SET "
    "tat = (CASE WHEN r.tat > CAST(:now AS DOUBLE PRECISION) THEN r.tat "
    "ELSE CAST(:now AS DOUBLE PRECISION) END) + CAST(:interval AS DOUBLE PRECISION) "
    "WHERE (CASE WHEN r.tat > CAST(:now AS DOUBLE PRECISION) THEN r.tat "
    "ELSE CAST(:now AS DOUBLE PRECISION) END) <= CAST(:latest AS DOUBLE PRECISION) "
    "RETURNING tat"
)
_TAT = text("SELECT tat FROM rate_limits WHERE key = :key")
_FORGET = text("DELETE FROM rate_limits WHERE tat < CAST(:before AS DOUBLE PRECISION)")
# Rows of callers whose buckets are full again carry no information: removed now and then.
FORGET_EVERY = 1000


class DatabaseStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._calls = 0

    async def close(self) -> None:
        return None  # the engine is the runtime's

    async def take(self, key: str, interval: float, window: float, now: float) -> float:
        # Allowed while max(tat, now) + interval - now <= window, i.e. max(tat, now) <= latest.
        params = {
            "key": key,
            "now": now,
            "next": now + interval,
            "interval": interval,
            "latest": now + window - interval,
        }
        async with self._engine.begin() as connection:
            if (await connection.execute(_UPSERT, params)).first() is not None:
                allowed = True
            else:
                tat = (await connection.execute(_TAT, {"key": key})).scalar_one()
                allowed = False
            self._calls += 1
            if self._calls % FORGET_EVERY == 0:
                await connection.execute(_FORGET, {"before": now})
        return 0.0 if allowed else gcra(tat, interval, window, now)[1]


_SCRIPT = """
local now, interval, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local new = tat + interval
if new - now > window then return tostring(new - now - window) end
redis.call('SET', KEYS[1], tostring(new), 'PX', math.ceil((new - now) * 1000) + 1000)
return '0'
"""


class RedisStore:
    def __init__(self, url: str, prefix: str = "hub:rate:") -> None:
        from redis.asyncio import Redis  # only where an operator configured Redis

        self._redis = Redis.from_url(url)
        self._script = self._redis.register_script(_SCRIPT)
        self._prefix = prefix

    async def take(self, key: str, interval: float, window: float, now: float) -> float:
        answer = await self._script(keys=[self._prefix + key], args=[now, interval, window])
        return float(answer)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    def __init__(
        self,
        default: RateLimit | None,
        per_client: Mapping[str, RateLimit],
        *,
        store: Store | None = None,
        namespace: str = "api",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._default = default
        self._per_client = dict(per_client)
        self._store = store or MemoryStore()
        # Limiters sharing a store keep apart: the API's and the token endpoint's buckets.
        self._namespace = namespace
        # Wall-clock time: shared stores compare the times of different processes.
        self._clock = clock

    async def retry_after(
        self, client_id: str | None, address: str, *, together: bool = False
    ) -> int | None:
        """None when the request may go ahead; else the whole seconds (≥ 1) to wait.
        `together`: the bucket of this client *from this address* (the token endpoint, where
        an attacker's failed guesses must not spend a legitimate client's budget)."""
        if client_id is not None:
            limit = self._per_client.get(client_id, self._default)
            key = f"client:{client_id}" + (f"@{address}" if together else "")
        else:
            limit = self._default
            key = f"address:{address}"
        if limit is None:
            return None
        interval = 1.0 / limit.rate
        key = f"{self._namespace}:{key}"
        wait = await self._store.take(key, interval, limit.burst * interval, self._clock())
        return None if wait <= 0 else max(1, math.ceil(wait))
