"""Hub to hub (逐级归集): a city hub served as its own process, and a province whose
`hub sync hub` runs as another process, pulls the city's feed over HTTP. Killed with SIGKILL
at several points and run again, the province ends exactly as after one clean pull; a repair
in the city stops the record restricting in the province after the next pull. The city runs
on SQLite or PostgreSQL, the province on both databases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from factories import SUBMIT, body, person, record
from processes import free_port, hub_serve, kill_when, serving
from sqlalchemy import func, select
from support import (
    Credentials,
    Database,
    create_postgres_database,
    drop_postgres_database,
    get_token,
    gql,
    make_agency,
    make_client,
)

from hub.agencies.models import Agency, AgencyFamily
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade_async
from hub.keys import init_keys
from hub.records.models import CreditRecord
from hub.subjects.models import Organization, Person

CITY_URN = "urn:cn:credit-hub:361200"
SANCTIONS = 30
PAGE = 4
ARREARS_REF = "江财欠〔2026〕7号"
BUREAU = body(707, "江州市某局")
COMMITMENT = "本单位已足额支付拖欠账款，承诺今后依法按期付款，严格守信践诺，接受社会监督。"


@dataclass
class City:
    url: str
    db: Database
    sync: Credentials  # the province's client at the city
    finance: str  # the city's finance bureau (token)
    hr: str  # a city HR department (token)
    operator_uscc: str


async def _database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    if backend == "postgres":
        created = await create_postgres_database()
        if created is None:
            pytest.skip("PostgreSQL unreachable")
        url, name = created
    else:
        url, name = f"sqlite+aiosqlite:///{tmp_path / 'city.db'}", None
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        yield Database(backend, url, engine, session_factory(engine))
    finally:
        await engine.dispose()
        if name:
            await drop_postgres_database(name)


@pytest.fixture(params=["city-on-sqlite", "city-on-postgres"])
async def city(request, db, tmp_path) -> AsyncIterator[City]:
    backend = request.param.removeprefix("city-on-")
    if backend == "postgres" and db.backend == "sqlite":
        pytest.skip("a PostgreSQL city pulled into a SQLite province adds nothing")
    async for city_db in _database(backend, tmp_path):
        keys = tmp_path / "city-keys"
        init_keys(keys)
        port = free_port()
        env = {"HUB_DATABASE_URL": city_db.url, "HUB_KEYS_DIR": str(keys),
               "HUB_ISSUER": CITY_URN, "HUB_RATE_LIMIT": "off"}  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        async with (
            serving(hub_serve(port), env, url + "/readyz"),
            httpx.AsyncClient(base_url=url, timeout=30) as http,
        ):
            yield await _seed_city(http, city_db, url)


async def _seed_city(http: httpx.AsyncClient, db: Database, url: str) -> City:
    writer = await get_token(
        http,
        await make_client(db, "records:write", agency_seed=701, family=AgencyFamily.DISCIPLINE),
    )
    rows = [
        record(f"江监政处〔2026〕{n}号", person(700 + n, "王" + "一二三四五六七八九十"[n % 10]),
               kind="DEMERIT", decided="2026-03-01")
        for n in range(1, SANCTIONS + 1)
    ]  # fmt: skip
    answer = (await gql(http, writer, SUBMIT, {"r": rows})).json()["data"]["submitRecords"]
    assert answer["inserted"] == SANCTIONS
    finance = await get_token(
        http,
        await make_client(db, "records:write records:read repair:decide", agency_seed=702,
                          family=AgencyFamily.FINANCE),
    )  # fmt: skip
    arrears = record(ARREARS_REF, BUREAU, category="PAYMENT_ARREARS", kind=None,
                     severity="GENERAL", decided="2026-05-31", summary="拖欠中小企业账款逾期未付")  # fmt: skip
    assert "errors" not in (await gql(http, finance, SUBMIT, {"r": [arrears]})).json()
    hr = await get_token(
        http, await make_client(db, "records:read objections:file repair:apply", agency_seed=703)
    )
    sync = await make_client(db, "sync:read records:read:pii", agency_seed=704)
    return City(url, db, sync, finance, hr, sync.agency.uscc)


def _sync(env: dict[str, str], city: City) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from hub.cli import main; main()", "sync", "hub",
         "--agency", city.operator_uscc, "--url", city.url + "/graphql",
         "--client-id", city.sync.client_id, "--client-secret-env", "CITY_SECRET",
         "--page-size", str(PAGE)],
        env={**os.environ, **env, "CITY_SECRET": city.sync.client_secret},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


async def _pull(env, city: City) -> None:
    process = _sync(env, city)
    _, stderr = await asyncio.to_thread(process.communicate, timeout=300)
    assert process.returncode == 0, stderr.decode()[-3000:]


async def _register_city_operator(db: Database, city: City) -> None:
    async with db.sessions.begin() as session:
        if await session.scalar(select(Agency.id).where(Agency.uscc == city.operator_uscc)):
            return
        agency = await make_agency(session, name="江州市信用信息中心", seed=704)
        assert agency.uscc == city.operator_uscc


async def _state(db: Database):
    async with db.sessions() as session:
        records = (
            await session.execute(
                select(
                    Agency.uscc,
                    CreditRecord.stream,
                    CreditRecord.source_ref,
                    CreditRecord.version,
                    CreditRecord.status,
                    CreditRecord.summary,
                    CreditRecord.repaired_on,
                    Person.id_hash,
                    Organization.uscc,
                )
                .join(Agency, Agency.id == CreditRecord.source_agency_id)
                .outerjoin(Person, Person.id == CreditRecord.person_id)
                .outerjoin(Organization, Organization.id == CreditRecord.organization_id)
                .order_by(CreditRecord.source_ref)
            )
        ).all()  # fmt: skip  (content hashes hold each database's own subject uid)
        people = await session.scalar(select(func.count()).select_from(Person))
    return records, people


def _env(db: Database, keys_dir: Path, tmp: Path) -> dict[str, str]:
    # TMPDIR: a killed pull leaves its reader's fork-server socket directory there.
    return {
        "HUB_DATABASE_URL": db.url, "HUB_KEYS_DIR": str(keys_dir), "HUB_ENV": "development",
        "TMPDIR": str(tmp),
    }  # fmt: skip


async def test_a_killed_pull_resumes_to_exactly_one_clean_pull(city, db, keys_dir, tmp_path):
    await _register_city_operator(db, city)
    env = _env(db, keys_dir, tmp_path)
    for rows in (5, 13, 22):
        await kill_when(db, _sync(env, city), rows, deadline=120)
    await _pull(env, city)
    province = await _state(db)

    (tmp_path / "clean").mkdir()
    async for clean in _database("sqlite", tmp_path / "clean"):
        await _register_city_operator(clean, city)
        await _pull(_env(clean, keys_dir, tmp_path), city)
        assert province == await _state(clean)
    records, people = province
    assert len(records) == SANCTIONS + 1 and people == SANCTIONS
    # Each record is kept under its own source agency and its origin hub.
    assert {stream for _, stream, *_ in records} == {f"hub:{CITY_URN}|push"}
    assert len({uscc for uscc, *_ in records}) == 2


async def test_a_repair_in_the_city_stops_the_record_restricting_in_the_province(
    city, db, keys_dir, serve, tmp_path
):
    await _register_city_operator(db, city)
    env = _env(db, keys_dir, tmp_path)
    await _pull(env, city)
    async with serve() as province:
        checker = await get_token(
            province.http, await make_client(db, "check:award", agency_seed=705)
        )
        assert await _award(province.http, checker) == "RESTRICTED"

        async with httpx.AsyncClient(base_url=city.url, timeout=30) as http:
            await _repair_in_city(http, city)
        await _pull(env, city)
        assert await _award(province.http, checker) == "CLEAR"
    async with db.sessions() as session:
        repaired = await session.scalar(
            select(CreditRecord.repaired_on).where(CreditRecord.source_ref == ARREARS_REF)
        )
    assert repaired is not None


async def _award(http: httpx.AsyncClient, token: str) -> str:
    query = "query($i: CheckInput!) { check(input: $i) { verdict } }"
    variables = {"i": {"purpose": "AWARD", "subject": {"uscc": BUREAU["uscc"]},
                       "reference": "2026年度评优"}}  # fmt: skip
    answer = (await gql(http, token, query, variables)).json()
    assert "errors" not in answer, answer
    return str(answer["data"]["check"]["verdict"])


async def _repair_in_city(http: httpx.AsyncClient, city: City) -> None:
    listed = (
        await gql(
            http,
            city.finance,
            "query { records(first: 100) { edges { node { id sourceRef } } } }",
            purpose="RECORD_MANAGEMENT",
        )
    ).json()
    [rid] = [
        e["node"]["id"]
        for e in listed["data"]["records"]["edges"]
        if e["node"]["sourceRef"] == ARREARS_REF
    ]
    apply = "mutation($i: RepairInput!) { applyForRepair(input: $i) { id } }"
    applied = await gql(http, city.hr, apply, {"i": {"record": rid, "commitment": COMMITMENT,
                                                      "obligationsFulfilled": True}})  # fmt: skip
    decide = 'mutation($id: ID!) { decideRepair(id: $id, approve: true, reason: "已履行义务，准予修复") { state } }'
    decided = await gql(
        http, city.finance, decide, {"id": applied.json()["data"]["applyForRepair"]["id"]}
    )
    assert decided.json()["data"]["decideRepair"]["state"] == "APPROVED", decided.json()
