"""Engine and session factory. The edge (a request, a CLI command) owns the transaction:
`async with sessions.begin() as session:`; services take that session and never commit."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

# How long a connection attempt may take before the request is answered 503: a stopped or
# unreachable server must not hang requests for the driver's default minute.
CONNECT_TIMEOUT_SECONDS = 5
# How long a request waits for a pooled connection when all are busy.
POOL_TIMEOUT_SECONDS = 10


def create_engine(
    url: str, *, statement_timeout: float | None = None, **kwargs: Any
) -> AsyncEngine:
    """`statement_timeout` (seconds, PostgreSQL): a statement running longer is cancelled and
    its request answered 503 instead of holding a connection (None: no limit)."""
    # JSON columns (check results, record details) go through orjson: the standard json
    # module was a tenth of a 10,000-check batch.
    kwargs.setdefault("json_serializer", _json_dumps)
    kwargs.setdefault("json_deserializer", orjson.loads)
    # Bound values stay out of SQLAlchemy's statement log (INFO, `echo`) and out of the
    # messages of its exceptions: a quarantined row is stored whole, personal data included.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        logging.getLogger("aiosqlite").addFilter(_without_debug_records)
        engine = _create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_SECONDS)
    connect_args = {"timeout": CONNECT_TIMEOUT_SECONDS, **kwargs.pop("connect_args", {})}
    if statement_timeout is not None:
        connect_args.setdefault("command_timeout", statement_timeout)
    return _create_async_engine(url, connect_args=connect_args, **kwargs)


def _without_debug_records(record: logging.LogRecord) -> bool:
    # aiosqlite logs every call with its arguments at DEBUG, which hide_parameters cannot
    # reach: a quarantined row's values would be logged in clear whatever the log level set.
    return record.levelno > logging.DEBUG


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Every mapper must be known before the first flush (foreign keys are resolved across
    # all tables), whichever domain modules the caller happened to import.
    import hub.db.models  # noqa: F401

    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite;
    # busy_timeout makes concurrent writers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
