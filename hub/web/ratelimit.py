"""Per-caller token buckets: a client by its client id, an anonymous caller by its address.

The buckets live in this process's memory. Served by N processes, a caller may make N times
its limit (each process keeps its own buckets); that is accepted for now. A limit that must
hold across processes belongs in a shared store or in front of the hub."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hub.settings import RateLimit

# Callers not seen for the longest time are forgotten past this many (a forgotten caller
# starts again with a full bucket): memory stays bounded however many addresses call.
MAX_CALLERS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        default: RateLimit | None,
        per_client: Mapping[str, RateLimit],
        *,
        clock: Callable[[], float] = time.monotonic,
        max_callers: int = MAX_CALLERS,
    ) -> None:
        self._default = default
        self._per_client = dict(per_client)
        self._clock = clock
        self._max_callers = max_callers
        self._buckets: dict[str, _Bucket] = {}  # oldest use first

    def retry_after(self, client_id: str | None, address: str) -> int | None:
        """None when the request may go ahead; else the whole seconds (≥ 1) to wait."""
        if client_id is not None:
            limit = self._per_client.get(client_id, self._default)
            key = f"client:{client_id}"
        else:
            limit = self._default
            key = f"address:{address}"
        if limit is None:
            return None
        wait = self._take(key, limit)
        return None if wait == 0 else max(1, math.ceil(wait))

    def _take(self, key: str, limit: RateLimit) -> float:
        now = self._clock()
        bucket = self._buckets.pop(key, None) or _Bucket(float(limit.burst), now)
        bucket.tokens = min(float(limit.burst), bucket.tokens + (now - bucket.updated) * limit.rate)
        bucket.updated = now
        self._buckets[key] = bucket  # now the most recently used
        if len(self._buckets) > self._max_callers:
            del self._buckets[next(iter(self._buckets))]
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / limit.rate
