"""`/metrics` in Prometheus text format: requests by operation and outcome, latency, verdicts,
rate-limit refusals; one registry per application."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from support import get_token, gql, make_client, make_id_number

import schema.checks
from hub.settings import RateLimit

CHECK = "query($i: CheckInput!) { check(input: $i) { purpose verdict } }"
CHECKS = "query($i: [CheckInput!]!) { checks(inputs: $i) { verdict } }"


def check_input(seq: int = 401, purpose: str = "HIRING") -> dict:
    subject = {"idNumber": make_id_number(seq=seq)}
    return {"purpose": purpose, "subject": subject, "reference": "2026年招录第3号"}


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, tuple], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_are_counted_by_first_root_field_and_outcome(http, db):
    token = await get_token(http, await make_client(db, "records:read federation:sdl"))
    await gql(http, token, "{ __typename }")
    await gql(http, token, "{ __typename _service { sdl } }")
    await gql(http, token, "{ noSuchField }")
    await http.post("/graphql", data={"query": "{ __typename }"})
    samples = await scrape(http)
    requests = "hub_graphql_requests_total"
    assert value(samples, requests, operation="__typename", outcome="ok") == 2
    assert value(samples, requests, operation="unknown", outcome="error") == 1
    assert value(samples, requests, operation="unknown", outcome="rejected") == 1
    assert value(samples, "hub_graphql_request_seconds_count", operation="__typename") == 2


async def test_client_chosen_names_never_become_labels(http, db):
    token = await get_token(http, await make_client(db, "records:read"))
    await http.post(
        "/graphql",
        json={"query": "query Anything123 { __typename }", "operationName": "Anything123"},
        headers={"Authorization": f"Bearer {token}"},
    )
    await gql(http, token, "{ x9f3: __typename }")
    text = (await http.get("/metrics")).text
    assert "Anything123" not in text and "x9f3" not in text
    samples = await scrape(http)
    assert value(samples, "hub_graphql_requests_total", operation="__typename", outcome="ok") == 2


async def test_verdicts_of_stored_checks_are_counted_by_purpose(http, db):
    token = await get_token(http, await make_client(db, "check:hiring"))
    await gql(http, token, CHECK, {"i": check_input()})
    bad = {**check_input(), "subject": {"idNumber": "110105194912310021"}}
    await gql(http, token, CHECKS, {"i": [check_input(402), bad, check_input(403)]})
    samples = await scrape(http)
    verdicts = "hub_check_verdicts_total"
    assert value(samples, verdicts, purpose="HIRING", verdict="CLEAR") == 1
    # `checks` did not select the purpose; the invalid input was not answered.
    assert value(samples, verdicts, purpose="unselected", verdict="CLEAR") == 2
    assert value(samples, "hub_graphql_requests_total", operation="check", outcome="ok") == 1
    assert value(samples, "hub_graphql_requests_total", operation="checks", outcome="error") == 1


async def test_an_alias_cannot_put_another_field_into_a_label(http, db):
    token = await get_token(http, await make_client(db, "check:hiring"))
    query = "query($i: CheckInput!) { check(input: $i) { purpose: reference verdict } }"
    assert "errors" not in (await gql(http, token, query, {"i": check_input()})).json()
    text = (await http.get("/metrics")).text
    assert "招录" not in text
    samples = await scrape(http)
    assert value(samples, "hub_check_verdicts_total", purpose="unselected", verdict="CLEAR") == 1


async def test_rate_limited_requests_are_counted(db, serve):
    async with serve(rate_limit=RateLimit(0.01, 1)) as hub:
        credentials = await make_client(db, "records:read")
        token = await get_token(hub.http, credentials)
        for _ in range(3):
            await gql(hub.http, token, "{ __typename }")
        samples = await scrape(hub.http)
    limited = value(samples, "hub_rate_limited_total", client=credentials.client_id)
    assert limited == 2
    # Refused before the document is parsed (a flood costs as little as possible), so the
    # operation is not known.
    rejected = {"operation": "unknown", "outcome": "rate_limited"}
    assert value(samples, "hub_graphql_requests_total", **rejected) == 2


async def test_each_application_counts_only_its_own_requests(http, serve):
    await gql(http, None, "{ __typename }")
    async with serve() as other:
        samples = await scrape(other.http)
    assert value(samples, "hub_graphql_requests_total", operation="__typename", outcome="ok") == 0


async def test_an_unexpected_failure_is_counted_as_internal(http, monkeypatch):
    def broken(*_):
        raise RuntimeError("boom")

    monkeypatch.setattr(schema.checks, "verify_report", broken)
    await gql(http, None, '{ verifyReport(token: "x") { valid } }')
    samples = await scrape(http)
    internal = {"operation": "verifyReport", "outcome": "internal"}
    assert value(samples, "hub_graphql_requests_total", **internal) == 1
