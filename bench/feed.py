"""The change feed on PostgreSQL: how fast a city hub serves 1,000,000 changes over HTTP,
how fast a province applies them (`hub sync hub`, a real process), and the lag from a commit
to a consumer — each against the floor measured in the same run on the same database:

- served: the feed's own page query run straight through asyncpg (keyset pages of 5,000 over
  record_events ⨝ credit_records ⨝ agencies ⨝ persons), without HTTP, GraphQL or JSON;
- applied: COPY of the same records into an empty table shaped and indexed like
  credit_records in the province database.

    python -m bench.feed [--records 1000000] [--admin-url postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

from bench import dataset
from bench.database import bench_urls, create_check_client, recreate_database
from bench.servers import Server
from hub.db.migrate import upgrade_async
from hub.keys import Keys, init_keys, load_keys
from hub.settings import Settings
from hub.subjects.identifiers import uscc_check_char
from hub.subjects.pii import PiiCipher

CITY, PROVINCE = "hub_bench_feed_city", "hub_bench_feed_province"
PAGE = 5000
FLOOR_PAGE = """
SELECT e.position, e.kind, e.at, r.*, a.uscc, a.name, p.id_cipher, p.name_cipher
FROM record_events e JOIN credit_records r ON r.id = e.record_id
JOIN agencies a ON a.id = r.source_agency_id LEFT JOIN persons p ON p.id = r.person_id
WHERE e.position > $1 ORDER BY e.position LIMIT $2"""
BODY = (lambda first17: first17 + uscc_check_char(first17))("11361200MB0000001")
CHANGES = (
    "query($a: String) { changes(after: $a, first: %d) { edges { node { id data } } "
    "pageInfo { endCursor hasNextPage } } }"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "HUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    return parser.parse_args()


async def prepare(admin: str, dsn: str, url: str, keys: Keys, records: int) -> str:
    """The city: the bench data set and one CREATED event per record, positioned."""
    await recreate_database(admin, CITY)
    await upgrade_async(url)
    data = await dataset.load(dsn, PiiCipher(keys.pii), persons=max(1, records // 3),
                              records=records, seed=20261205)  # fmt: skip
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "INSERT INTO record_events (record_id, version, kind, status, snapshot, at, position) "
            "SELECT id, 1, 'CREATED', status, '{}', now(), id FROM credit_records"
        )
        await connection.execute(
            "UPDATE feed_head SET last_position = (SELECT max(position) FROM record_events)"
        )
    finally:
        await connection.close()
    return data.checking_agency_uscc


def settle(env: dict[str, str]) -> None:
    """`hub lifecycle run` first: the data set's old records end their publicity, which a
    starting server would otherwise note (as feed events) while it is being measured."""
    command = [sys.executable, "-c", "from hub.cli import main; main()", "lifecycle", "run"]
    subprocess.run(command, env=env, check=True, capture_output=True)


async def floor_served(dsn: str) -> float:
    connection = await asyncpg.connect(dsn)
    try:
        statement = await connection.prepare(FLOOR_PAGE)
        started, after, total = time.perf_counter(), 0, 0
        while rows := await statement.fetch(after, PAGE):
            total += len(rows)
            after = rows[-1]["position"]
        return total / (time.perf_counter() - started)
    finally:
        await connection.close()


def hub_served(base: str, token: str) -> tuple[float, int]:
    headers = {"Authorization": f"Bearer {token}"}
    started, after, total = time.perf_counter(), None, 0
    with httpx.Client(base_url=base, timeout=120) as http:
        while True:
            body = http.post("/graphql", json={"query": CHANGES % PAGE, "variables": {"a": after}},
                             headers=headers).json()  # fmt: skip
            page = body["data"]["changes"]
            total += len(page["edges"])
            after = page["pageInfo"]["endCursor"]
            if not page["pageInfo"]["hasNextPage"]:
                break
    return total / (time.perf_counter() - started), total


async def floor_applied(city_dsn: str, province_dsn: str) -> float:
    source, target = await asyncpg.connect(city_dsn), await asyncpg.connect(province_dsn)
    try:
        rows = await source.fetch("SELECT * FROM credit_records ORDER BY id")
        # An asyncpg Record iterates over its values; its keys are the column names.
        columns = [c for c in rows[0].keys() if c != "id"]  # noqa: SIM118
        await target.execute("DROP TABLE IF EXISTS copy_floor")
        await target.execute("CREATE TABLE copy_floor (LIKE credit_records INCLUDING ALL)")
        started = time.perf_counter()
        await target.copy_records_to_table(
            "copy_floor", records=[tuple(r[c] for c in columns) for r in rows], columns=columns
        )
        return len(rows) / (time.perf_counter() - started)
    finally:
        await source.close()
        await target.close()


def hub_applied(
    env: dict[str, str], base: str, client: tuple[str, str], operator: str
) -> tuple[float, int]:
    """Seconds of one `hub sync hub` from scratch (the snapshot, then the feed after it), and
    the rows it read."""
    command = [sys.executable, "-c", "from hub.cli import main; main()"]
    subprocess.run([*command, "agencies", "add", "--uscc", operator, "--name", "江州市信用信息中心",
                    "--family", "OTHER"], env=env, check=True, capture_output=True)  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "sync", "hub", "--agency", operator, "--url", base + "/graphql",
         "--client-id", client[0], "--client-secret-env", "CITY_SECRET", "--page-size", str(PAGE)],
        env={**env, "CITY_SECRET": client[1]}, capture_output=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode()[-3000:])
    return time.perf_counter() - started, asyncio.run(_rows_read(env["HUB_DATABASE_URL"]))


async def _rows_read(url: str) -> int:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(await connection.fetchval("SELECT sum(rows_read) FROM ingest_runs"))
    finally:
        await connection.close()


def lag(base: str, writer: str, reader: str, rounds: int = 20) -> list[float]:
    """From the moment submitRecords answers (committed) to the change in a page."""
    submit = "mutation($r: [RecordInput!]!) { submitRecords(records: $r) { inserted } }"
    waits = []
    with httpx.Client(base_url=base, timeout=30) as http:
        head = http.post("/graphql", json={"query": CHANGES % 1, "variables": {"a": None}},
                         headers={"Authorization": f"Bearer {reader}"}).json()  # fmt: skip
        after = head["data"]["changes"]["pageInfo"]["endCursor"]
        for n in range(rounds):
            row = {"sourceRef": f"BENCH-LAG-{n}", "category": "PROMISE_BROKEN",
                   "severity": "GENERAL", "decidedAt": "2026-01-05", "summary": "未履行承诺",
                   "subject": {"uscc": BODY, "name": "江州市某局"}}  # fmt: skip
            http.post("/graphql", json={"query": submit, "variables": {"r": [row]}},
                      headers={"Authorization": f"Bearer {writer}"})  # fmt: skip
            committed = time.perf_counter()
            while True:
                query = {"query": CHANGES % 50, "variables": {"a": after}}
                answer = http.post(
                    "/graphql", json=query, headers={"Authorization": f"Bearer {reader}"}
                )
                body = answer.json()
                page = body["data"]["changes"]
                if page["edges"]:
                    waits.append(time.perf_counter() - committed)
                    after = page["pageInfo"]["endCursor"]
                    break
    return waits


async def _analyze(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("VACUUM (ANALYZE) record_events, credit_records")
    finally:
        await connection.close()


def token(base: str, client: tuple[str, str], scope: str) -> str:
    answer = httpx.post(base + "/oauth/token", data={"grant_type": "client_credentials",
                        "scope": scope}, auth=client, timeout=30)  # fmt: skip
    return str(answer.json()["access_token"])


def main() -> int:
    args = parse_args()
    admin, city_dsn, city_url = bench_urls(args.admin_url, CITY)
    _, province_dsn, province_url = bench_urls(args.admin_url, PROVINCE)
    work = Path(tempfile.mkdtemp(prefix="bench-feed-"))
    keys_dir = work / "keys"
    init_keys(keys_dir)
    keys = load_keys(Settings(keys_dir=keys_dir))
    server = None
    try:
        print(f"loading {args.records:,} records and their CREATED events …", flush=True)
        operator = asyncio.run(prepare(admin, city_dsn, city_url, keys, args.records))
        asyncio.run(recreate_database(admin, PROVINCE))
        asyncio.run(upgrade_async(province_url))
        sync = asyncio.run(create_check_client(city_url, operator, "sync:read records:read:pii"))
        writer = asyncio.run(create_check_client(city_url, operator, "records:write"))
        env = {**os.environ, "HUB_DATABASE_URL": city_url, "HUB_KEYS_DIR": str(keys_dir),
               "HUB_ENV": "production", "HUB_RATE_LIMIT": "off", "HUB_TOKEN_LIFETIME": "3600",
               "HUB_ISSUER": "urn:cn:credit-hub:361200"}  # fmt: skip
        settle(env)
        asyncio.run(_analyze(city_dsn))
        server = Server("city", "hub.asgi:app", env, work)
        server.wait_ready()
        floor = asyncio.run(floor_served(city_dsn))
        served, total = hub_served(
            server.url, token(server.url, sync, "sync:read records:read:pii")
        )
        print(f"served   {total:,} changes: hub {served:,.0f}/s, floor (SQL alone) {floor:,.0f}/s, "
              f"hub/floor {served / floor:.2f}")  # fmt: skip
        province_env = {**os.environ, "HUB_DATABASE_URL": province_url,
                        "HUB_KEYS_DIR": str(keys_dir), "HUB_ENV": "production"}  # fmt: skip
        seconds, read = hub_applied(province_env, server.url, sync, operator)
        copy = asyncio.run(floor_applied(city_dsn, province_dsn))
        applied = read / seconds
        print(f"applied  {read:,} rows hub to hub (snapshot, then feed): {applied:,.0f}/s "
              f"({seconds:.0f} s), floor (COPY) {copy:,.0f}/s, "
              f"hub/floor {applied / copy:.3f}")  # fmt: skip
        waits = lag(server.url, token(server.url, writer, "records:write"),
                    token(server.url, sync, "sync:read"))  # fmt: skip
        print(
            f"lag      commit → consumer over {len(waits)} changes: p50 "
            f"{statistics.median(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms"
        )
        return 0
    finally:
        if server is not None:
            server.stop()
        for name in (CITY, PROVINCE):
            asyncio.run(recreate_database(admin, name, drop_only=True))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
