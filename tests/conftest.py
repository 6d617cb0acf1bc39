"""Shared fixtures. Every test that touches storage runs on a real SQLite file and on a real
PostgreSQL database (HUB_TEST_POSTGRES_URL); both are created by migrations, once per run,
and emptied after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from support import (
    Database,
    Serve,
    Served,
    create_postgres_database,
    drop_postgres_database,
    served,
)

from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade_async
from hub.keys import Keys, init_keys, load_keys
from hub.settings import Settings
from hub.subjects.pii import PiiCipher

TABLES = (
    "warnings",
    "clues",
    "commitments",
    "evaluation_inputs",
    "evaluation_snapshots",
    "rate_limits",
    "lifecycle_runs",
    "screening_jobs",
    "console_sessions",
    "users",
    "audit_events",
    "audit_pending",
    "quarantined_rows",
    "ingest_runs",
    "ingest_cursors",
    "source_feeds",
    "checks",
    "evidence",
    "objections",
    "repair_applications",
    "record_events",
    "credit_records",
    "clients",
    "persons",
    "organizations",
    "agencies",
)


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    init_keys(directory)
    return directory


@pytest.fixture(scope="session")
def keys(keys_dir: Path) -> Keys:
    return load_keys(Settings(keys_dir=keys_dir))


@pytest.fixture(scope="session")
def pii(keys: Keys) -> PiiCipher:
    return PiiCipher(keys.pii)


@pytest.fixture(scope="session")
async def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'hub.db'}"
    await upgrade_async(url)
    return url


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str | None]:
    created = await create_postgres_database()
    if created is None:
        yield None
        return
    url, name = created
    await upgrade_async(url)
    yield url
    await drop_postgres_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
async def db(
    request: pytest.FixtureRequest, sqlite_url: str, postgres_url: str | None
) -> AsyncIterator[Database]:
    if request.param == "postgres":
        if postgres_url is None:
            pytest.skip("PostgreSQL unreachable (set HUB_REQUIRE_POSTGRES=1 to fail instead)")
        url = postgres_url
    else:
        url = sqlite_url
    engine = create_engine(url)
    database = Database(request.param, url, engine, session_factory(engine))
    try:
        yield database
    finally:
        await _empty(database)
        await engine.dispose()


async def _empty(database: Database) -> None:
    async with database.engine.begin() as connection:
        if database.backend == "postgres":
            await connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                await connection.execute(text(f"DELETE FROM {table}"))
        # Back to the genesis head the migration creates: the next test's chain starts at 1.
        await connection.execute(
            text(
                "UPDATE audit_head SET first_seq = 1, first_prev_hash = :genesis, "
                "last_seq = 0, last_hash = :genesis, mac = ''"
            ),
            {"genesis": "0" * 64},
        )
        await connection.execute(text("UPDATE feed_head SET last_position = 0"))


@pytest.fixture
def serve(db: Database, keys_dir: Path, keys: Keys) -> Serve:
    """`async with serve(**settings) as hub:` the hub on the test database, its lifespan run
    (runtime, sealer), an httpx client in `hub.http`; closed on leaving."""

    def serving(
        *, client: tuple[str, int] | None = None, **settings: Any
    ) -> AbstractAsyncContextManager[Served]:
        values = {"database_url": db.url, "keys_dir": keys_dir, **settings}
        return served(Settings(**values), keys, client=client)

    return serving


@pytest.fixture
async def app(serve: Serve) -> AsyncIterator[Served]:
    async with serve() as hub:
        yield hub


@pytest.fixture
def http(app: Served) -> httpx.AsyncClient:
    return app.http


@pytest.fixture
def env(db: Database, keys_dir: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a `hub` command run against the test database. Its temporary
    files go to the test's directory: a `hub sync` a test kills leaves its reader's fork
    server socket directory (multiprocessing's) behind."""
    return {
        "HUB_DATABASE_URL": db.url,
        "HUB_KEYS_DIR": str(keys_dir),
        "TMPDIR": str(tmp_path),
        "HUB_ENV": "development",
        "COLUMNS": "200",  # rich fits tables to the terminal; tests read whole lines
    }


@pytest.fixture
async def production_http(serve: Serve) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the hub as deployed: HUB_ENV=production."""
    async with serve(env="production") as hub:
        yield hub.http
