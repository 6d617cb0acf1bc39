"""Migrations build the whole schema, match the models, and go down and up cleanly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from support import create_postgres_database, drop_postgres_database

from hub.db.engine import create_engine
from hub.db.migrate import downgrade_async, upgrade_async
from hub.db.models import Base


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database_url(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    created = await create_postgres_database()
    if created is None:
        pytest.skip("PostgreSQL unreachable")
    url, name = created
    yield url
    await drop_postgres_database(name)


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def schema_drift(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await engine.dispose()


async def test_upgrade_creates_every_model_table(empty_database_url):
    await upgrade_async(empty_database_url)
    assert set(Base.metadata.tables) <= await table_names(empty_database_url)


async def test_the_migrated_schema_matches_the_models(empty_database_url):
    await upgrade_async(empty_database_url)
    assert await schema_drift(empty_database_url) == []


async def test_downgrade_to_base_and_upgrade_again(empty_database_url):
    await upgrade_async(empty_database_url)
    await downgrade_async(empty_database_url, "base")
    assert await table_names(empty_database_url) <= {"alembic_version"}
    await upgrade_async(empty_database_url)
    assert set(Base.metadata.tables) <= await table_names(empty_database_url)
