"""What the chosen stack costs per request before the hub does any work (issue 14: why the
single-check ratios to the lean endpoint are missed).

Two measurements on this machine, in one run:

1. **HTTP and GraphQL**: `bench/stack_app.py` under uvicorn, as the hub runs. Its
   `/graphql` answers the HR system's query (the same body as bench.hiring_check sends)
   with a fixed answer — Strawberry with parsing and validation cached, no token, no
   database; its `/plain` sends the same answer from a bare Starlette route. wrk, 32
   clients; the server's CPU per request from /proc.
2. **One SQL statement**: the same trivial statement through SQLAlchemy's AsyncSession
   (as the hub's services run theirs), through its AsyncConnection, as driver SQL, and
   through asyncpg directly (as the lean endpoint does); and an AsyncSession's whole
   transaction (begin, one statement, commit). CPU per statement, in this process.

    python -m bench.stack_floor [--duration 10] [--concurrency 32] [--admin-url …]"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import Integer, bindparam, literal, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.cpu import CpuMeter
from bench.hiring_check import CHECK_QUERY, DEFAULT_ADMIN_URL, REFERENCE
from bench.loadgen import PLACEHOLDER, LoadGenerator, Target, ensure_wrk, to_run
from bench.servers import Server

STATEMENTS = 3000
# Any 18 characters will do: the stack app does not look the subject up.
IDS = [f"32010219900101{n:04d}" for n in range(1000)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stack_floor", description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per route")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--admin-url", default=os.environ.get("HUB_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    )
    args = parser.parse_args(argv)
    routes = http_routes(args.duration, args.concurrency)
    statements = asyncio.run(one_statement(args.admin_url))
    print()
    print("per request, the server's CPU (wrk, closed loop):")
    for name, (rps, cpu_ms) in routes.items():
        print(f"  {name:<44} {rps:>8.0f} req/s  {cpu_ms:6.3f} ms")
    print("per SQL statement (select of one bound value), this process's CPU:")
    for name, micros in statements.items():
        print(f"  {name:<44} {micros:>8.0f} µs")


def http_routes(duration: float, concurrency: int) -> dict[str, tuple[float, float]]:
    wrk = ensure_wrk()
    if wrk is None:
        raise SystemExit("wrk is needed (Debian package wrk)")
    work = Path(tempfile.mkdtemp(prefix="hub-stack-"))
    server = Server("stack", "bench.stack_app:app", {**os.environ}, work)
    try:
        server.wait_ready()
        body = {
            "query": CHECK_QUERY,
            "variables": {
                "input": {
                    "purpose": "HIRING",
                    "subject": {"idNumber": PLACEHOLDER},
                    "reference": REFERENCE,
                }
            },
        }
        template = json.dumps(body, ensure_ascii=False)
        answer = httpx.post(server.url + "/graphql", content=template.replace(PLACEHOLDER, IDS[0]))
        assert answer.json()["data"]["check"]["verdict"] == "RESTRICTED", answer.text
        load = LoadGenerator(wrk, 2, work, IDS)
        figures = {}
        for name, path, label in (
            ("stack-graphql", "/graphql", "Strawberry + Starlette + uvicorn, /graphql"),
            ("stack-plain", "/plain", "Starlette + uvicorn, /plain"),
        ):
            target = Target(name, server.url + path, template, {})
            load.run(target, 2.0, concurrency)
            with CpuMeter(server.process.pid) as meter:
                raw, _ = load.run(target, duration, concurrency)
            run = to_run(name, raw)
            cpu_ms = 1000 * meter.figures["server_cpu_s"] / max(1, run.requests)
            figures[label] = (run.rps, cpu_ms)
        return figures
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


async def one_statement(admin_url: str) -> dict[str, float]:
    statement = select(literal(1, Integer).label("x")).where(bindparam("a", type_=Integer) == 1)
    engine = create_async_engine(admin_url.replace("postgresql://", "postgresql+asyncpg://"))
    sessions = async_sessionmaker(engine)
    figures: dict[str, float] = {}
    try:
        async with sessions() as session:
            connection = await session.connection()
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            ways: dict[str, Callable[[], Awaitable[object]]] = {
                "SQLAlchemy AsyncSession.execute (the hub)": lambda: session.execute(
                    statement, {"a": 1}
                ),
                "SQLAlchemy AsyncConnection.execute": lambda: connection.execute(
                    statement, {"a": 1}
                ),
                "SQLAlchemy exec_driver_sql": lambda: connection.exec_driver_sql(
                    "SELECT 1 AS x WHERE $1::int = 1", (1,)
                ),
                "asyncpg fetchrow (the lean endpoint)": lambda: raw.fetchrow(
                    "SELECT 1 AS x WHERE $1::int = 1", 1
                ),
            }
            for name, call in ways.items():
                figures[name] = await _per_call(call, STATEMENTS)

        async def transaction() -> None:
            async with sessions() as session, session.begin():
                await session.execute(statement, {"a": 1})

        figures["AsyncSession: begin, the statement, commit"] = await _per_call(
            transaction, STATEMENTS // 10
        )

        async def raw_transaction() -> None:
            async with pool.acquire() as conn, conn.transaction():
                await conn.fetchrow("SELECT 1 AS x WHERE $1::int = 1", 1)

        async with asyncpg.create_pool(admin_url, min_size=1, max_size=1) as pool:
            figures["asyncpg pool: begin, the statement, commit"] = await _per_call(
                raw_transaction, STATEMENTS // 10
            )
    finally:
        await engine.dispose()
    return figures


async def _per_call(call: Callable[[], Awaitable[object]], times: int) -> float:
    for _ in range(times // 10):  # warm: prepared statements, compiled cache
        await call()
    started = time.process_time()
    for _ in range(times):
        await call()
    return 1e6 * (time.process_time() - started) / times


if __name__ == "__main__":
    sys.exit(main())
