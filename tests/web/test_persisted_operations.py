"""Persisted operations: a manifest of operations, a list per client (enforce or measure),
operations sent by their sha256 alone, and bad manifests refused at start-up."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from support import Credentials, get_token, gql, make_client, make_id_number, served

from hub.errors import ConfigurationError
from hub.settings import Settings
from hub.web.persisted import read_manifest

HIRING = "query HiringCheck($i: CheckInput!) { check(input: $i) { purpose verdict } }"
PING = "query Ping { __typename }"
LOOKUP = "query Lookup($i: CheckInput!) { check(input: $i) { verdict } }"
VERIFY = "query Verify($t: String!) { verifyReport(token: $t) { valid } }"
PERSON = make_id_number(seq=611)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def hiring_input() -> dict[str, Any]:
    return {"i": {"purpose": "HIRING", "subject": {"idNumber": PERSON}, "reference": "招录第9号"}}


def manifest(clients: dict[str, Any]) -> dict[str, Any]:
    operations = [
        {"id": sha(body), "name": name, "body": body}
        for name, body in (("HiringCheck", HIRING), ("Verify", VERIFY))
    ]
    return {"operations": operations, "clients": clients}


@asynccontextmanager
async def serving(
    db, keys_dir: Path, keys, tmp_path: Path, content: dict[str, Any]
) -> AsyncIterator[httpx.AsyncClient]:
    path = tmp_path / "operations.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    settings = Settings(database_url=db.url, keys_dir=keys_dir, persisted_operations=path)
    async with served(settings, keys) as hub:
        yield hub.http


async def by_hash(
    http: httpx.AsyncClient, token: str | None, text: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}
    body = {"extensions": persisted, "variables": variables or {}}
    return await http.post("/graphql", json=body, headers=headers)


async def hr_client(db, seed: int) -> Credentials:
    return await make_client(db, "check:hiring", agency_seed=seed)


def error_of(response: httpx.Response) -> dict[str, Any]:
    [error] = response.json()["errors"]
    return dict(error)


async def unlisted_count(http: httpx.AsyncClient, client: str, mode: str) -> float:
    families = text_string_to_metric_families((await http.get("/metrics")).text)
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == "hub_unlisted_operations_total"
        and sample.labels == {"client": client, "mode": mode}
    )


async def test_enforce_refuses_an_operation_not_on_the_clients_list(db, keys_dir, keys, tmp_path):
    hr = await hr_client(db, 1)
    content = manifest({hr.client_id: {"mode": "enforce", "operations": [sha(HIRING)]}})
    async with serving(db, keys_dir, keys, tmp_path, content) as http:
        refused = await gql(http, await get_token(http, hr), PING)
        assert await unlisted_count(http, hr.client_id, "enforce") == 1
    assert refused.status_code == 403
    assert "data" not in refused.json()
    error = error_of(refused)
    assert error["extensions"] == {"code": "OPERATION_NOT_ALLOWED"}
    assert f"operation Ping (sha256 {sha(PING)}) is not on the list" in error["message"]
    assert "ask the hub's operator to add it to the persisted operations" in error["message"]


async def test_an_operation_on_the_list_runs(db, keys_dir, keys, tmp_path):
    hr = await hr_client(db, 1)
    content = manifest({hr.client_id: {"mode": "enforce", "operations": [sha(HIRING)]}})
    async with serving(db, keys_dir, keys, tmp_path, content) as http:
        answered = await gql(http, await get_token(http, hr), HIRING, hiring_input())
    assert answered.status_code == 200
    assert answered.json() == {"data": {"check": {"purpose": "HIRING", "verdict": "CLEAR"}}}


async def test_an_operation_sent_by_its_hash_alone_answers_as_its_text(
    db, keys_dir, keys, tmp_path
):
    hr = await hr_client(db, 1)
    content = manifest({hr.client_id: {"mode": "enforce", "operations": [sha(HIRING)]}})
    async with serving(db, keys_dir, keys, tmp_path, content) as http:
        token = await get_token(http, hr)
        by_text = await gql(http, token, HIRING, hiring_input())
        by_id = await by_hash(http, token, HIRING, hiring_input())
    assert by_id.status_code == 200
    assert by_id.json() == by_text.json()
    assert by_id.json()["data"]["check"]["verdict"] == "CLEAR"


async def test_the_text_and_its_hash_together_must_match(db, keys_dir, keys, tmp_path):
    hr = await hr_client(db, 1)
    async with serving(db, keys_dir, keys, tmp_path, manifest({})) as http:
        token = await get_token(http, hr)
        headers = {"Authorization": f"Bearer {token}"}
        matching = {"version": 1, "sha256Hash": sha(PING)}
        other = {"version": 1, "sha256Hash": sha(HIRING)}
        sent = [
            await http.post(
                "/graphql",
                json={"query": PING, "extensions": {"persistedQuery": reference}},
                headers=headers,
            )
            for reference in (matching, other)
        ]
    assert sent[0].json() == {"data": {"__typename": "Query"}}
    assert sent[1].status_code == 400
    assert error_of(sent[1])["extensions"] == {"code": "BAD_REQUEST"}


async def test_an_unknown_hash_is_persisted_query_not_found(db, keys_dir, keys, tmp_path):
    hr = await hr_client(db, 1)
    async with serving(db, keys_dir, keys, tmp_path, manifest({})) as http:
        unknown = await by_hash(http, await get_token(http, hr), PING)
    assert unknown.status_code == 404
    error = error_of(unknown)
    assert error["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}
    assert "send the operation's text in `query`" in error["message"]


async def test_a_hash_alone_without_a_manifest_is_not_supported(http, db):
    token = await get_token(http, await hr_client(db, 1))
    answer = await by_hash(http, token, PING)
    assert answer.status_code == 400
    assert error_of(answer)["extensions"] == {"code": "PERSISTED_QUERY_NOT_SUPPORTED"}


async def test_measure_runs_an_unlisted_operation_and_logs_it_without_its_values(
    db, keys_dir, keys, tmp_path, caplog
):
    hr = await hr_client(db, 1)
    content = manifest({hr.client_id: {"mode": "measure", "operations": [sha(HIRING)]}})
    caplog.set_level(logging.INFO, logger="hub.web")
    async with serving(db, keys_dir, keys, tmp_path, content) as http:
        token = await get_token(http, hr)
        listed = await gql(http, token, HIRING, hiring_input())
        assert caplog.records == []
        unlisted = await gql(http, token, LOOKUP, hiring_input())
        counted = await unlisted_count(http, hr.client_id, "measure")
    assert listed.status_code == unlisted.status_code == 200
    assert unlisted.json() == {"data": {"check": {"verdict": "CLEAR"}}}
    assert counted == 1
    [record] = caplog.records
    assert record.name == "hub.web" and record.levelno == logging.WARNING
    message = record.getMessage()
    assert hr.client_id in message and "Lookup" in message and sha(LOOKUP) in message
    assert PERSON not in message and "check(input" not in message and "招录" not in message


async def test_clients_not_named_are_free_and_named_ones_keep_their_own_list(
    db, keys_dir, keys, tmp_path
):
    held, other = await hr_client(db, 1), await hr_client(db, 2)
    content = manifest({held.client_id: {"mode": "enforce", "operations": [sha(HIRING)]}})
    async with serving(db, keys_dir, keys, tmp_path, content) as http:
        assert (await gql(http, await get_token(http, other), PING)).status_code == 200
        assert (await gql(http, await get_token(http, held), PING)).status_code == 403


async def test_the_star_entry_holds_every_client_not_named(db, keys_dir, keys, tmp_path):
    named, other = await hr_client(db, 1), await hr_client(db, 2)
    content = manifest(
        {
            "*": {"mode": "enforce", "operations": [sha(HIRING)]},
            named.client_id: {"mode": "measure", "operations": []},
        }
    )
    async with serving(db, keys_dir, keys, tmp_path, content) as http:
        refused = await gql(http, await get_token(http, other), PING)
        measured = await gql(http, await get_token(http, named), PING)
        listed = await gql(http, await get_token(http, other), HIRING, hiring_input())
    assert error_of(refused)["extensions"] == {"code": "OPERATION_NOT_ALLOWED"}
    assert measured.json() == {"data": {"__typename": "Query"}}
    assert listed.status_code == 200


async def test_anonymous_report_verification_is_never_held_to_a_list(db, keys_dir, keys, tmp_path):
    content = manifest({"*": {"mode": "enforce", "operations": []}})
    async with serving(db, keys_dir, keys, tmp_path, content) as http:
        by_text = await gql(http, None, VERIFY, {"t": "x"})
        by_id = await by_hash(http, None, VERIFY, {"t": "x"})
    assert by_text.json() == by_id.json() == {"data": {"verifyReport": {"valid": False}}}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "operations.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_setting_names_the_manifest():
    settings = Settings.from_env({"HUB_PERSISTED_OPERATIONS": "/etc/hub/operations.json"})
    assert settings.persisted_operations == Path("/etc/hub/operations.json")
    assert "persisted_operations='/etc/hub/operations.json'" in repr(settings)
    assert Settings.from_env({}).persisted_operations is None


async def test_the_hub_refuses_to_start_with_a_bad_manifest(tmp_path, keys_dir, keys):
    path = write(tmp_path, "{not json")
    with pytest.raises(ConfigurationError) as raised:  # the hub does not start
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
            keys_dir=keys_dir,
            persisted_operations=path,
        )
        async with served(settings, keys):
            pass
    assert raised.value.field == "HUB_PERSISTED_OPERATIONS"
    assert raised.value.message.startswith(f"persisted operations manifest {path}: is not JSON")
    assert "line 1, column 2" in raised.value.message


PING_ENTRY = {"id": sha(PING), "name": "Ping", "body": PING}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ([], "must be a JSON object"),
        ({"operation": []}, "the manifest has unknown keys operation"),
        (
            {"operations": [{**PING_ENTRY, "id": sha(HIRING)}]},
            f'operations[0]: "id" is not the sha256 of its body (expected {sha(PING)})',
        ),
        (
            {"operations": [{**PING_ENTRY, "name": "Pong"}]},
            "operations[0]: \"name\" 'Pong' is not an operation in its body (Ping)",
        ),
        (
            {"operations": [{"id": sha("query {"), "body": "query {"}]},
            "operations[0]: the text is not a GraphQL document",
        ),
        ({"operations": [PING_ENTRY, PING_ENTRY]}, "operations[1]: the same text is listed twice"),
        (
            {"clients": {"c-1": {"mode": "enforce", "operations": [sha(PING)]}}},
            f"clients['c-1']: '{sha(PING)}' is not the id of an operation in the manifest",
        ),
        (
            {"operations": [PING_ENTRY], "clients": {"c-1": {"mode": "block", "operations": []}}},
            'clients[\'c-1\']: "mode" must be "enforce" (refuse other operations) or '
            "\"measure\" (run and log them); got 'block'",
        ),
        (
            {"clients": {"c-1": {"mode": "measure", "ops": []}}},
            "clients['c-1'] has unknown keys ops",
        ),
    ],
)
def test_a_bad_manifest_is_refused_naming_the_file_and_the_problem(tmp_path, content, problem):
    path = write(tmp_path, json.dumps(content))
    with pytest.raises(ConfigurationError) as raised:
        read_manifest(path)
    assert raised.value.message.startswith(f"persisted operations manifest {path}: ")
    assert problem in raised.value.message


def test_a_missing_manifest_is_refused_naming_the_file(tmp_path):
    with pytest.raises(ConfigurationError) as raised:
        read_manifest(tmp_path / "none.json")
    assert f"persisted operations manifest {tmp_path / 'none.json'}: cannot be read" in (
        raised.value.message
    )
