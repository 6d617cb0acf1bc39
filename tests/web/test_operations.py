"""Operational endpoints, and GraphiQL only in development."""

from __future__ import annotations

import httpx

from hub.app import create_app
from hub.settings import Settings


async def test_healthz_and_readyz_answer_when_the_database_is_reachable(http, db):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "reachable"


async def test_readyz_is_503_when_the_database_is_unreachable(keys_dir, keys):
    app = create_app(
        Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none", keys_dir=keys_dir),
        keys,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://h"
    ) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 503
    await app.state.engine.dispose()


async def test_graphiql_is_served_in_development_only(http, db, keys_dir, keys):
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()

    production = create_app(
        Settings(database_url=db.url, env="production", keys_dir=keys_dir), keys
    )
    transport = httpx.ASGITransport(app=production)
    async with httpx.AsyncClient(transport=transport, base_url="http://h") as client:
        refused = await client.get("/graphql", headers={"Accept": "text/html"})
    assert refused.status_code == 405
    await production.state.engine.dispose()
