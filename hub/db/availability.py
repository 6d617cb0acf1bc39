"""Whether a failure means "the database cannot be reached right now" — the server stopped,
the network dropped, a connection went stale, a statement ran past its timeout, SQLite's
lock was not granted in time — rather than a fault in the hub. Those are answered with 503
and Retry-After (the caller retries), never as an internal error."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

RETRY_AFTER_SECONDS = 5


def _is_unavailable_one(error: BaseException) -> bool:
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, ConnectionError | TimeoutError | asyncio.TimeoutError):
        return True
    # asyncpg's own (reached when SQLAlchemy did not wrap them): connection lost or refused,
    # a statement cancelled by its timeout, the server shutting down.
    name = type(error).__name__
    return name in {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "QueryCanceledError",
        "AdminShutdownError",
        "InterfaceError",
    }


def is_unavailable(error: BaseException) -> bool:
    """Looks along the chain of causes: SQLAlchemy wraps the driver's error."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if _is_unavailable_one(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
