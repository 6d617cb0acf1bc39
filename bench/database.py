"""The bench database: created and dropped through an admin connection, the check client,
and what the runs left in it."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections import Counter
from pathlib import Path

import asyncpg

from hub.auth.service import add_client
from hub.db.engine import create_engine, session_factory


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def create_check_client(url: str, agency_uscc: str, scopes: str) -> tuple[str, str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            issued = await add_client(
                session, name="组织部招录系统", agency_uscc=agency_uscc, scopes=scopes
            )
            await session.commit()
            return issued.client.id, issued.secret
    finally:
        await engine.dispose()


async def check_rows(dsn: str) -> Counter[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT CASE WHEN ruleset_version IN ('bare', 'lean', 'floor') THEN ruleset_version "
            "ELSE 'hub' END AS server, verdict, count(*) AS n FROM checks GROUP BY 1, 2"
        )
    finally:
        await connection.close()
    return Counter({f"{r['server']}:{r['verdict']}": int(r["n"]) for r in rows})


async def server_version(dsn: str) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def bench_urls(admin_url: str, database: str) -> tuple[str, str, str]:
    """(admin URL, the bench database for asyncpg/psycopg, the same for the hub)."""
    admin = admin_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    dsn = with_database(admin, database)
    return admin, dsn, dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


def remove_work_dir(work_dir: Path, *, keep_keys: Path | None = None) -> None:
    """Temporary files go; a kept database's PII keys stay, or its data could not be read."""
    if keep_keys is None:
        shutil.rmtree(work_dir, ignore_errors=True)
        return
    for path in work_dir.iterdir():
        if path != keep_keys:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def drop_databases_and_files(
    admin_url: str,
    created: list[str],
    work_dir: Path,
    *,
    kept: str | None = None,
    kept_dsn: str = "",
    keys_dir: Path | None = None,
) -> None:
    """The end of every bench run: the databases it created dropped (but `kept`), its
    temporary files removed (but the keys of a kept database)."""
    for name in created:
        if name == kept:
            continue
        try:
            asyncio.run(recreate_database(admin_url, name, drop_only=True))
        except Exception as exc:  # clean-up must not hide the original error
            print(f"could not drop {name}: {exc}", file=sys.stderr)
    if kept in created:
        # The kept data is only readable with its PII keys: keep those too.
        print(f"kept database {kept} ({kept_dsn}); its keys: HUB_KEYS_DIR={keys_dir}")
        remove_work_dir(work_dir, keep_keys=keys_dir)
    else:
        remove_work_dir(work_dir)


def raise_interrupt(signum: int, _frame: object) -> None:
    """SIGTERM (and SIGINT) end a run the way Ctrl-C does, through its clean-up."""
    raise KeyboardInterrupt(f"signal {signum}")
