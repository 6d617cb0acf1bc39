"""Operational endpoints, and GraphiQL only in development."""

from __future__ import annotations

import pytest
from support import served

from hub.db.migrate import head_revision, upgrade_async
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


@pytest.mark.parametrize("revision", [None, "0005"], ids=["never-migrated", "behind"])
async def test_readyz_is_503_until_the_schema_is_at_the_revision_the_code_needs(
    keys_dir, keys, tmp_path, revision
):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    if revision:
        await upgrade_async(url, revision)
    async with served(Settings(database_url=url, keys_dir=keys_dir), keys) as hub:
        behind = await hub.http.get("/readyz")
        assert behind.status_code == 503
        assert "hub db upgrade" in behind.json()["schema"]
        await upgrade_async(url)
        ready = await hub.http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["schema"] == head_revision()
