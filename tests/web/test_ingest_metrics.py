"""`/metrics` shows what `hub sync` processes did: the hub reads the ingest tables at scrape
time, so runs of any process count, and a database that cannot answer costs only the ingest
families of that scrape."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from support import make_agency, make_id_number, run_cli, served

import hub.web.ingest_metrics
from connectors.court.samples import DEFAULTER_HEADERS
from hub.agencies.models import AgencyFamily
from hub.ingest.models import IngestRun
from hub.settings import Settings

COURT = {"connector": "court", "stream": "defaulters"}


def defaulter(n: int, *, id_number: str | None = None, age: str = "41") -> list[str]:
    values = {
        "被执行人姓名/名称": f"鲍{n}",
        "身份证号码/组织机构代码": id_number or make_id_number(seq=300 + n),
        "年龄": age,
        "执行法院": "江州市中级人民法院",
        "案号": f"（2025）赣12执{n}号",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "违反财产报告制度",
        "发布时间": "2025年03月01日",
    }
    return [values.get(header, "") for header in DEFAULTER_HEADERS]


def listing(path: Path, rows: list[list[str]], header=DEFAULTER_HEADERS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def bad_check_digit(n: int) -> str:
    good = make_id_number(seq=300 + n)
    return good[:-1] + ("1" if good[-1] == "0" else "0")


async def court(db) -> str:
    async with db.sessions.begin() as session:
        agency = await make_agency(session, name="江州市中级人民法院", family=AgencyFamily.COURT)
    return agency.uscc


async def sync(env, uscc: str, path: Path, expect_exit: int = 0) -> None:
    result = await run_cli(env, "sync", "court", "--agency", uscc, "--file", path)
    assert result.exit_code == expect_exit, result.output


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, tuple], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


async def finish_times(db) -> list[float]:
    async with db.sessions() as session:
        finished = await session.scalars(
            select(IngestRun.finished_at)
            .where(IngestRun.status == "SUCCEEDED")
            .order_by(IngestRun.id)
        )
        return [moment.timestamp() for moment in finished]


async def test_a_sync_shows_its_rows_runs_quarantine_and_success_time(http, db, env, tmp_path):
    uscc = await court(db)
    rows = [defaulter(1), defaulter(2), defaulter(3, age="16"), defaulter(4)]
    rows.append(defaulter(5, id_number=bad_check_digit(5)))
    await sync(env, uscc, listing(tmp_path / "失信名单.csv", rows))

    samples = await scrape(http)
    assert value(samples, "hub_ingest_scrape_success") == 1
    assert value(samples, "hub_ingest_rows_read_total", **COURT) == 5
    assert value(samples, "hub_ingest_rows_total", **COURT, outcome="inserted") == 3
    assert value(samples, "hub_ingest_rows_total", **COURT, outcome="updated") == 0
    assert value(samples, "hub_ingest_rows_total", **COURT, outcome="quarantined") == 2
    assert value(samples, "hub_ingest_runs_total", **COURT, status="SUCCEEDED") == 1
    assert value(samples, "hub_ingest_runs_total", **COURT, status="FAILED") == 0
    assert value(samples, "hub_ingest_runs_running", **COURT) == 0
    assert value(samples, "hub_ingest_quarantine_open_rows", **COURT) == 2
    [finished] = await finish_times(db)
    last = value(samples, "hub_ingest_last_success_timestamp_seconds", **COURT)
    assert last == pytest.approx(finished, abs=1e-3)


async def test_a_second_run_adds_to_the_first(http, db, env, tmp_path):
    uscc = await court(db)
    await sync(env, uscc, listing(tmp_path / "一月.csv", [defaulter(1), defaulter(2, age="9")]))
    changed = defaulter(1)
    changed[DEFAULTER_HEADERS.index("被执行人的履行情况")] = "部分未履行"
    second = [changed, defaulter(6), defaulter(7), defaulter(8, age="12")]
    await sync(env, uscc, listing(tmp_path / "二月.csv", second))

    samples = await scrape(http)
    assert value(samples, "hub_ingest_rows_read_total", **COURT) == 6
    assert value(samples, "hub_ingest_rows_total", **COURT, outcome="inserted") == 3
    assert value(samples, "hub_ingest_rows_total", **COURT, outcome="updated") == 1
    assert value(samples, "hub_ingest_rows_total", **COURT, outcome="quarantined") == 2
    assert value(samples, "hub_ingest_runs_total", **COURT, status="SUCCEEDED") == 2
    assert value(samples, "hub_ingest_quarantine_open_rows", **COURT) == 2
    first, latest = await finish_times(db)
    last = value(samples, "hub_ingest_last_success_timestamp_seconds", **COURT)
    assert last == pytest.approx(latest, abs=1e-3) and latest >= first


async def test_a_failed_run_is_counted_as_failed(http, db, env, tmp_path):
    uscc = await court(db)
    await sync(env, uscc, listing(tmp_path / "good.csv", [defaulter(1)]))
    wrong = listing(tmp_path / "wrong.csv", [["江州某案", "张"]], header=["案由", "姓名"])
    await sync(env, uscc, wrong, expect_exit=1)

    samples = await scrape(http)
    assert value(samples, "hub_ingest_runs_total", **COURT, status="SUCCEEDED") == 1
    assert value(samples, "hub_ingest_runs_total", **COURT, status="FAILED") == 1
    assert value(samples, "hub_ingest_rows_total", **COURT, outcome="inserted") == 1
    [finished] = await finish_times(db)  # the failure does not move the last success
    last = value(samples, "hub_ingest_last_success_timestamp_seconds", **COURT)
    assert last == pytest.approx(finished, abs=1e-3)


async def test_without_runs_only_the_scrape_gauges_are_shown(http, db):
    samples = await scrape(http)
    assert value(samples, "hub_ingest_scrape_success") == 1
    assert not [name for name, _ in samples if name.startswith("hub_ingest_rows")]


UNREACHABLE = [
    pytest.param("sqlite+aiosqlite:////nonexistent/directory/hub.db", id="sqlite"),
    pytest.param("postgresql+asyncpg://postgres@127.0.0.1:1/hub", id="postgres"),
]


@pytest.mark.parametrize("url", UNREACHABLE)
async def test_an_unreachable_database_leaves_out_the_ingest_families(url, keys_dir, keys):
    async with served(Settings(database_url=url, keys_dir=keys_dir), keys) as hub:
        await hub.http.post("/graphql", json={"query": "{ __typename }"})
        samples = await scrape(hub.http)
    assert value(samples, "hub_ingest_scrape_success") == 0
    assert not [name for name, _ in samples if name.startswith("hub_ingest_rows")]
    # The rest of /metrics is there: the request above was counted.
    assert value(samples, "hub_graphql_requests_total", operation="__typename", outcome="ok")


async def test_a_slow_database_costs_the_ingest_families_not_the_scrape(http, app, db, monkeypatch):
    async def stuck(_session):
        await asyncio.sleep(60)

    monkeypatch.setattr(hub.web.ingest_metrics, "stream_totals", stuck)
    app.web.metrics.ingest.timeout = 0.05
    samples = await scrape(http)
    assert value(samples, "hub_ingest_scrape_success") == 0
    assert value(samples, "hub_ingest_scrape_duration_seconds") < 5
