"""What the web edge holds for the lifetime of a process, typed, built in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from hub.auth.tokens import TokenIssuer
from hub.auth.verifier import TokenVerifier
from hub.runtime import Runtime
from hub.web.metrics import Metrics
from hub.web.persisted import Manifest
from hub.web.persisted import load as load_persisted_operations
from hub.web.ratelimit import DatabaseStore, MemoryStore, RateLimiter, RedisStore, Store

STATE_KEY = "web"


@dataclass(frozen=True)
class WebState:
    runtime: Runtime
    tokens: TokenIssuer
    verifier: TokenVerifier
    metrics: Metrics
    rate_limiter: RateLimiter
    token_rate_limiter: RateLimiter
    persisted_operations: Manifest | None
    # Where both limiters keep their buckets (closed with the process).
    rate_store: Store

    @classmethod
    def build(cls, runtime: Runtime, operations: frozenset[str]) -> WebState:
        """`operations`: the schema's root fields, the only values metrics label by."""
        settings = runtime.settings
        store = rate_limit_store(settings.rate_limit_store, runtime)
        tokens = TokenIssuer(runtime.keys, settings.issuer, settings.token_lifetime_seconds)
        return cls(
            runtime=runtime,
            tokens=tokens,
            verifier=TokenVerifier.from_settings(settings, tokens),
            metrics=Metrics(operations=operations),
            rate_limiter=RateLimiter(
                settings.rate_limit, settings.rate_limits_per_client, store=store
            ),
            token_rate_limiter=RateLimiter(
                settings.token_rate_limit, {}, store=store, namespace="token"
            ),
            persisted_operations=load_persisted_operations(settings.persisted_operations),
            rate_store=store,
        )


def rate_limit_store(kind: str, runtime: Runtime) -> Store:
    """One store for both limiters (their namespaces keep their keys apart)."""
    if kind == "database":
        return DatabaseStore(runtime.engine)
    if kind.startswith(("redis://", "rediss://")):
        return RedisStore(kind)
    return MemoryStore()


def web_state(conn: HTTPConnection) -> WebState:
    """The process's WebState, which the lifespan put in every request's state."""
    state: WebState = getattr(conn.state, STATE_KEY)
    return state
