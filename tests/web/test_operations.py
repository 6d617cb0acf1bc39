"""Operational endpoints, and GraphiQL only in development."""

from __future__ import annotations

from support import served

from hub.settings import Settings


async def test_healthz_and_readyz_answer_when_the_database_is_reachable(http, db):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "reachable"


async def test_readyz_is_503_when_the_database_is_unreachable(keys_dir, keys):
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    async with served(Settings(database_url=unreachable, keys_dir=keys_dir), keys) as hub:
        assert (await hub.http.get("/healthz")).status_code == 200
        assert (await hub.http.get("/readyz")).status_code == 503


async def test_graphiql_is_served_in_development_only(http, serve):
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()

    async with serve(env="production") as production:
        refused = await production.http.get("/graphql", headers={"Accept": "text/html"})
    assert refused.status_code == 405
