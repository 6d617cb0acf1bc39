"""Migrations build the whole schema, match the models, and go down and up cleanly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
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


# -- 0005: quarantined rows encrypted; 0006: fingerprinted ------------------------------------

RAW = {"被执行人姓名/名称": "张三", "身份证号码/组织机构代码": "110101199003071234"}


async def execute(url: str, statement: str, **values: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement), values)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def a_run(url: str) -> None:
    await execute(
        url,
        "INSERT INTO agencies (id, uscc, name, region_code, level, family, created_at) "
        "VALUES (1, '11361200MB0000000L', '江州市中级人民法院', '361200', 'CITY', 'COURT', "
        "CURRENT_TIMESTAMP)",
    )
    await execute(
        url,
        "INSERT INTO ingest_runs (id, connector, stream, agency_id, source, status, started_at, "
        "rows_read, inserted, updated, unchanged, quarantined, notes) VALUES (1, 'court', "
        "'defaulters', 1, 'a.csv', 'SUCCEEDED', CURRENT_TIMESTAMP, 1, 0, 0, 0, 1, '{}')",
    )


def as_json(value: Any) -> Any:
    # asyncpg decodes JSON columns even for textual SQL; aiosqlite gives the text.
    return json.loads(value) if isinstance(value, str) else value


QUARANTINE = (
    "INSERT INTO quarantined_rows (run_id, agency_id, connector, stream, location, {columns}, "
    "field, reason, created_at) VALUES (1, 1, 'court', 'defaulters', 'a.csv:2', {values}, "
    "'年龄', 'a minor', CURRENT_TIMESTAMP)"
)


async def test_a_row_quarantined_in_clear_is_kept_until_sealed_and_downgrades(empty_database_url):
    url = empty_database_url
    await upgrade_async(url, "0004")
    await a_run(url)
    await execute(url, QUARANTINE.format(columns="raw", values=":raw"), raw=json.dumps(RAW))
    await upgrade_async(url)
    [(raw, payload)] = await execute(url, "SELECT raw, payload FROM quarantined_rows")
    assert (as_json(raw), payload) == (RAW, None)  # for `hub quarantine seal`
    await downgrade_async(url, "0004")  # nothing encrypted yet: nothing to lose
    [(raw,)] = await execute(url, "SELECT raw FROM quarantined_rows")
    assert as_json(raw) == RAW


async def test_a_downgrade_refuses_to_lose_encrypted_rows(empty_database_url):
    url = empty_database_url
    await upgrade_async(url)
    await a_run(url)
    await execute(url, QUARANTINE.format(columns="payload", values=":payload"), payload=b"\x00")
    await downgrade_async(url, "0005")
    with pytest.raises(RuntimeError, match="1 quarantined row"):
        await downgrade_async(url, "0004")
    [(version,)] = await execute(url, "SELECT version_num FROM alembic_version")
    assert version == "0005"  # the refused step changed nothing
    [(payload,)] = await execute(url, "SELECT payload FROM quarantined_rows")
    assert bytes(payload) == b"\x00"
    await upgrade_async(url)
    assert await schema_drift(url) == []


async def test_an_open_fingerprint_is_unique_and_a_resolved_one_is_not(empty_database_url):
    url = empty_database_url
    await upgrade_async(url)
    await a_run(url)
    row = QUARANTINE.format(columns="payload, fingerprint", values=":payload, 'f1'")
    await execute(url, row, payload=b"\x01")
    await execute(url, "UPDATE quarantined_rows SET resolved_at = CURRENT_TIMESTAMP")
    await execute(url, row, payload=b"\x02")  # the earlier copy is resolved: allowed
    with pytest.raises(IntegrityError):
        await execute(url, row, payload=b"\x03")
    await downgrade_async(url, "0005")
    assert len(await execute(url, "SELECT id FROM quarantined_rows")) == 2


# -- 0007: what the source owns, and what the hub's workflows own --------------------------

RECORD = (
    "INSERT INTO credit_records (id, source_agency_id, stream, source_ref, subject_type, "
    "organization_id, category, severity, decided_at, effective_until, summary, status, "
    "version, content_hash, created_at, updated_at) VALUES (:id, 1, 'push', :ref, "
    "'ORGANIZATION', 1, 'PAYMENT_ARREARS', 'GENERAL', '2026-01-05', :until, '拖欠', :status, 1, "
    "'h', '2026-03-01 08:00:00+00:00', '2026-03-01 08:00:00+00:00')"
)


async def test_hub_statuses_move_to_their_own_columns_and_back(empty_database_url):
    url = empty_database_url
    await upgrade_async(url, "0006")
    await a_run(url)
    await execute(
        url,
        "INSERT INTO organizations (id, uscc, name, region_code, created_at) VALUES "
        "(1, '11361200MB0000000L', '江州市某局', '361200', CURRENT_TIMESTAMP)",
    )
    for number, status in enumerate(["ACTIVE", "UNDER_OBJECTION", "REPAIRED", "EXPIRED"], 1):
        await execute(url, RECORD, id=number, ref=f"R-{number}", until=None, status=status)
    await upgrade_async(url)
    rows = await execute(
        url,
        "SELECT id, status, objection_kind, repaired_on, effective_until FROM credit_records "
        "ORDER BY id",
    )
    as_text = [tuple(str(v) if v is not None else None for v in row) for row in rows]
    assert as_text == [
        ("1", "ACTIVE", None, None, None),
        ("2", "ACTIVE", "DATA_ERROR", None, None),
        ("3", "ACTIVE", None, "2026-03-01", None),
        ("4", "ACTIVE", None, None, "2026-03-01"),
    ]
    [(record_id, kind, state)] = await execute(url, "SELECT record_id, kind, state FROM objections")
    assert (record_id, kind, state) == (2, "DATA_ERROR", "OPEN")
    await downgrade_async(url, "0006")
    statuses = await execute(url, "SELECT status FROM credit_records ORDER BY id")
    # EXPIRED came back as ACTIVE with its end: the end date says what the status said.
    assert [s for (s,) in statuses] == ["ACTIVE", "UNDER_OBJECTION", "REPAIRED", "ACTIVE"]
