"""The hub as a subgraph behind a real gateway: its `_service { sdl }` composed with a second
subgraph (an HR roster pointing at the hub's Person) by @theguild/federation-composition, and
queried across both through Hive Gateway, which verifies the hub's tokens against
/.well-known/jwks.json and enforces @requiresScopes from them. The hub, the roster and the
gateway each run as their own process.

Node packages are installed by the set-up (npm ci into tests/gateway/node). Skipped with a
clear message only where Node.js is absent; a failure instead under HUB_REQUIRE_GATEWAY=1
(set in .ci/run)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from factories import person, record, submit
from processes import free_port, hub_serve, serving
from support import get_token, gql, make_client

NODE_DIR = Path(__file__).parent / "node"
ISSUER = "urn:cn:credit-hub:gateway-test"
ZHANG = person(901, "张三丰")
EMPLOYEES = (
    """{ employees { name post person { id known name idNumber records { sourceRef } } } }"""
)


def _node_ready() -> None:
    """npm ci once per checkout (the lock file pins every package)."""
    required = os.environ.get("HUB_REQUIRE_GATEWAY") == "1"
    if shutil.which("node") is None or shutil.which("npm") is None:
        if required:
            pytest.fail("HUB_REQUIRE_GATEWAY=1 but Node.js (node, npm) is not installed")
        pytest.skip("Node.js is not installed: the gateway test needs node and npm")
    if (NODE_DIR / "node_modules" / ".bin" / "hive-gateway").exists():
        return
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, timeout=900
    )
    if done.returncode != 0:
        pytest.fail(f"npm ci failed: {done.stderr.decode()[-2000:]}")


@dataclass
class Federation:
    gateway: str  # the gateway's /graphql
    hub: str
    person_id: str


async def _sdl(url: str, token: str | None = None) -> str:
    async with httpx.AsyncClient(timeout=30) as http:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = await http.post(url, json={"query": "{ _service { sdl } }"}, headers=headers)
    return str(answer.json()["data"]["_service"]["sdl"])


@pytest.fixture
async def federation(db, keys_dir, tmp_path) -> AsyncIterator[Federation]:
    _node_ready()
    hub_port, hr_port, gateway_port = free_port(), free_port(), free_port()
    hub = f"http://127.0.0.1:{hub_port}"
    env = {"HUB_DATABASE_URL": db.url, "HUB_KEYS_DIR": str(keys_dir), "HUB_ISSUER": ISSUER,
           "HUB_RATE_LIMIT": "off"}  # fmt: skip
    async with serving(hub_serve(hub_port), env, hub + "/readyz"):
        async with httpx.AsyncClient(base_url=hub, timeout=30) as http:
            await submit(http, db, [record("江监政处〔2026〕901号", ZHANG, decided="2026-03-01")],
                         agency_seed=91)  # fmt: skip
            reader = await get_token(http, await make_client(db, "records:read", agency_seed=92))
            found = await gql(http, reader, "query($n: String!) { person(idNumber: $n) { id } }",
                              {"n": ZHANG["idNumber"]}, purpose="HIRING")  # fmt: skip
            person_id = found.json()["data"]["person"]["id"]
            composer = await get_token(
                http, await make_client(db, "federation:sdl", agency_seed=93)
            )
        (tmp_path / "hub.graphql").write_text(await _sdl(hub + "/graphql", composer))
        unknown = "00000000-0000-4000-8000-000000000000"
        employees = [["张三丰", "科员", person_id], ["李四", "副科长", unknown]]
        hr_env = {"HR_EMPLOYEES": json.dumps(employees, ensure_ascii=False)}
        hr = f"http://127.0.0.1:{hr_port}"
        roster = [sys.executable, "-m", "uvicorn", "hr_subgraph:app", "--port", str(hr_port)]
        async with serving(roster, {**hr_env, "PYTHONPATH": str(Path(__file__).parent)},
                           hr + "/graphql"):  # fmt: skip
            (tmp_path / "hr.graphql").write_text(await _sdl(hr + "/graphql"))
            supergraph = tmp_path / "supergraph.graphql"
            composed = await asyncio.to_thread(
                subprocess.run,
                ["node", "compose.mjs", f"hub={tmp_path / 'hub.graphql'}={hub}/graphql",
                 f"hr={tmp_path / 'hr.graphql'}={hr}/graphql", str(supergraph)],
                cwd=NODE_DIR, capture_output=True, timeout=120,
            )  # fmt: skip
            assert composed.returncode == 0, composed.stderr.decode()
            gateway_env = {"HUB_JWKS": f"{hub}/.well-known/jwks.json", "HUB_ISSUER": ISSUER}
            command = [str(NODE_DIR / "node_modules" / ".bin" / "hive-gateway"), "supergraph",
                       str(supergraph), "--port", str(gateway_port)]  # fmt: skip
            gateway = f"http://127.0.0.1:{gateway_port}"
            async with serving(command, gateway_env, gateway + "/healthcheck", cwd=NODE_DIR):
                yield Federation(gateway + "/graphql", hub, person_id)


async def _through(federation: Federation, token: str | None, query: str) -> dict:
    headers = {"X-Hub-Purpose": "HIRING"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(federation.gateway, json={"query": query}, headers=headers)
    return dict(answer.json())


async def _token(federation: Federation, db, scopes: str, seed: int) -> str:
    async with httpx.AsyncClient(base_url=federation.hub, timeout=30) as http:
        return await get_token(http, await make_client(db, scopes, agency_seed=seed))


async def test_a_query_across_both_subgraphs_with_the_hubs_scopes(federation, db):
    token = await _token(federation, db, "records:read", 93)
    answer = await _through(federation, token, EMPLOYEES)
    assert "errors" not in answer, json.dumps(answer, ensure_ascii=False)
    known, unknown = answer["data"]["employees"]
    assert known["name"] == "张三丰" and known["person"]["id"] == federation.person_id
    # The hub's answer, masked as it would be without the PII scope.
    assert known["person"]["name"] == "张**"
    assert known["person"]["idNumber"] != ZHANG["idNumber"] and "*" in known["person"]["idNumber"]
    assert [r["sourceRef"] for r in known["person"]["records"]] == ["江监政处〔2026〕901号"]
    assert known["person"]["known"] is True
    # A person the hub does not hold: answered as unknown, without an error (a null entity
    # made the gateway fail on the non-null `records`: INTERNAL_SERVER_ERROR).
    assert unknown["name"] == "李四"
    assert unknown["person"] == {"id": unknown["person"]["id"], "known": False, "name": None,
                                 "idNumber": None, "records": []}  # fmt: skip


async def test_the_gateway_enforces_the_hubs_scopes_before_the_hub_is_asked(federation, db):
    writer = await _token(federation, db, "records:write", 94)
    refused = await _through(federation, writer, EMPLOYEES)
    assert refused.get("errors"), refused
    assert all(e["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE" for e in refused["errors"])
    anonymous = await _through(federation, None, EMPLOYEES)
    assert anonymous.get("errors"), anonymous
    # What needs no scope still answers; a forged token is refused outright.
    roster = await _through(federation, None, "{ employees { name post } }")
    assert [e["name"] for e in roster["data"]["employees"]] == ["张三丰", "李四"]
    forged = await _through(federation, writer[:-4] + "AAAA", "{ employees { name } }")
    assert forged.get("errors"), forged
