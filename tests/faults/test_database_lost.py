"""The database lost under load and back again (a real `hub serve` on a PostgreSQL server of
the test's own): requests are answered 503 SERVICE_UNAVAILABLE with Retry-After within the
timeouts — never 500, never a hang — /readyz says 503, and when the server is back the same
process serves again. No check was answered without its stored row and audit entry."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time

import httpx
from own_postgres import own_postgres
from processes import HUB, free_port, hub_serve, serving
from sqlalchemy import text
from support import make_id_number, make_uscc

from hub.db.engine import create_engine

CHECK = "query($i: CheckInput!) { check(input: $i) { id verdict } }"
# The hub's own bounds: 5 s to connect, HUB_STATEMENT_TIMEOUT=5 here, and a margin.
NO_HANG = 15.0


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*HUB, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Load:
    """Checks one after another, each answer kept with its status and duration."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http, self.token = http, token
        self.answers: list[tuple[float, int, dict, float]] = []
        self.stopping = False

    async def run(self) -> None:
        seq = 0
        while not self.stopping:
            seq += 1
            variables = {"i": {"purpose": "HIRING", "reference": f"load-{seq}",
                               "subject": {"idNumber": make_id_number(seq=seq % 900 + 1)}}}  # fmt: skip
            started = time.monotonic()
            try:
                answer = await self.http.post(
                    "/graphql", json={"query": CHECK, "variables": variables},
                    headers={"Authorization": f"Bearer {self.token}"}, timeout=60,
                )  # fmt: skip
            except httpx.TransportError as error:  # the hub itself must stay up
                raise AssertionError(f"the hub did not answer: {error!r}") from error
            took = time.monotonic() - started
            body = answer.json()
            body["retry-after"] = answer.headers.get("retry-after")
            self.answers.append((started, answer.status_code, body, took))
            await asyncio.sleep(0.05)


async def _wait_for(http: httpx.AsyncClient, path: str, status: int, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if (await http.get(path, timeout=NO_HANG)).status_code == status:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} did not answer {status} within {within} s")


async def test_the_database_goes_away_and_comes_back_under_load(tmp_path):
    with own_postgres() as pg:
        env = {"HUB_DATABASE_URL": pg.url, "HUB_KEYS_DIR": str(tmp_path / "keys"),
               "HUB_RATE_LIMIT": "off", "HUB_STATEMENT_TIMEOUT": "5"}  # fmt: skip
        _cli(env, "db", "upgrade")
        uscc = make_uscc(seed=71)
        _cli(env, "agencies", "add", "--uscc", uscc, "--name", "江州市人事局", "--family", "HR")
        pair = json.loads(_cli(env, "clients", "add", "人事系统", "--agency", uscc,
                               "--scopes", "check:hiring", "--json"))  # fmt: skip
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        async with (
            serving(hub_serve(port), env, f"{url}/readyz") as process,
            httpx.AsyncClient(base_url=url) as http,
        ):
            form = {"grant_type": "client_credentials"}
            auth = (pair["client_id"], pair["client_secret"])
            token = (await http.post("/oauth/token", data=form, auth=auth)).json()["access_token"]
            load = Load(http, token)
            running = asyncio.create_task(load.run())
            await asyncio.sleep(1.5)
            lost_at = time.monotonic()
            await asyncio.to_thread(pg.stop)
            assert await _wait_for(http, "/readyz", 503, within=10) < 10
            await asyncio.sleep(4)
            await asyncio.to_thread(pg.start)
            back_at = time.monotonic()
            await _wait_for(http, "/readyz", 200, within=30)
            while not any(s == 200 and at > back_at for at, s, _, _ in load.answers):
                assert time.monotonic() - back_at < 30, "no check answered after the restart"
                await asyncio.sleep(0.2)
            load.stopping = True
            await running
            assert process.poll() is None  # the same process, never restarted
            # The hub has stopped (sealing what it could); the database is back.
        answers = load.answers
        statuses = {s for _, s, _, _ in answers}
        assert statuses <= {200, 503}, statuses
        outage = [a for a in answers if a[1] == 503]
        assert outage, "no request was refused while the database was away"
        for _, _, body, took in outage:
            assert body["errors"][0]["extensions"] == {
                "code": "SERVICE_UNAVAILABLE",
                "retryAfter": 5,
            }
            assert body["retry-after"] == "5"
            assert took < NO_HANG
        assert any(s == 200 and at < lost_at for at, s, _, _ in answers)
        answered = {b["data"]["check"]["id"] for _, s, b, _ in answers if s == 200}
        await _stored(pg, answered, env)


async def _stored(pg, answered: set[str], env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(pg.url)
    try:
        async with engine.connect() as connection:
            stored = set((await connection.execute(text("SELECT id FROM checks"))).scalars())
            audited = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM (SELECT operation FROM audit_events UNION ALL "
                        "SELECT operation FROM audit_pending) a WHERE operation = 'check'"
                    )
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert answered <= stored, "a check was answered without its stored row"
    assert audited >= len(answered), "a check was answered without its audit entry"
    _cli(env, "audit", "verify")
