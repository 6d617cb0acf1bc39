"""Helpers for tests: a database handle, test identities, agencies and clients, tokens."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from hub.agencies.models import Agency, AgencyFamily, AgencyLevel
from hub.app import create_app
from hub.auth.service import add_client
from hub.keys import Keys
from hub.runtime import Runtime
from hub.settings import Settings
from hub.subjects.identifiers import id_check_char, uscc_check_char
from hub.web.state import STATE_KEY, WebState

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    return os.environ.get("HUB_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def postgres_unreachable(reason: str) -> None:
    """Skips the PostgreSQL half of a test, or fails it where PostgreSQL is required (CI)."""
    if os.environ.get("HUB_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL required (HUB_REQUIRE_POSTGRES=1) but unreachable: {reason}")
    pytest.skip(f"PostgreSQL unreachable: {reason}")


@dataclass
class Served:
    """A hub served in-process: its app, the web state its lifespan built, a client."""

    app: Starlette
    web: WebState
    asgi: Any  # the app as a server calls it, the lifespan's state in every request
    http: httpx.AsyncClient
    state: dict[str, Any]  # the lifespan's state, copied into each request

    @property
    def runtime(self) -> Runtime:
        return self.web.runtime

    def use(self, **changes: Any) -> None:
        """From the next request on, the web state with `changes` (e.g. another verifier)."""
        self.web = dataclasses.replace(self.web, **changes)
        self.state[STATE_KEY] = self.web

    def client(self, address: str) -> httpx.AsyncClient:
        """Another client of the same hub, calling from `address` (close it after use)."""
        transport = httpx.ASGITransport(app=self.asgi, client=(address, 4711))
        return httpx.AsyncClient(transport=transport, base_url="http://hub.test")


Serve = Callable[..., AbstractAsyncContextManager[Served]]


@asynccontextmanager
async def served(
    settings: Settings, keys: Keys | None = None, *, client: tuple[str, int] | None = None
) -> AsyncIterator[Served]:
    """The app as a server runs it: the lifespan first (httpx's ASGITransport does not run
    it), its state in every request's scope, and everything closed on leaving."""
    app = create_app(settings, keys)
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Any, receive: Any, send: Any) -> None:
            # What a server does with the lifespan's state: a shallow copy per request.
            scope["state"] = {**(state or {}), **scope.get("state", {})}
            await app(scope, receive, send)

        transport = httpx.ASGITransport(app=with_state, client=client or ("127.0.0.1", 123))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
            yield Served(app, state[STATE_KEY], with_state, http, state)


@dataclass
class Database:
    backend: str
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


def make_id_number(birth: date = date(1985, 4, 12), region: str = "361202", seq: int = 17) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def make_uscc(region: str = "361200", body: str | None = None, seed: int = 0) -> str:
    if body is None:
        body = "".join(
            random.Random(seed).choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9)
        )
    first17 = f"11{region}{body}"
    return first17 + uscc_check_char(first17)


async def make_agency(
    session: AsyncSession,
    name: str = "江州市测试局",
    seed: int = 1,
    family: AgencyFamily = AgencyFamily.OTHER,
) -> Agency:
    agency = Agency(
        uscc=make_uscc(seed=seed),
        name=name,
        region_code="361200",
        level=AgencyLevel.CITY,
        family=family,
    )
    session.add(agency)
    await session.flush()
    return agency


@dataclass
class Credentials:
    client_id: str
    client_secret: str
    agency: Agency


async def make_client(
    db: Database,
    scopes: str,
    *,
    agency_seed: int = 1,
    name: str = "测试系统",
    family: AgencyFamily = AgencyFamily.OTHER,
    jurisdiction: str | None = None,
) -> Credentials:
    async with db.sessions.begin() as session:
        from sqlalchemy import select

        uscc = make_uscc(seed=agency_seed)
        agency = await session.scalar(select(Agency).where(Agency.uscc == uscc))
        if agency is None:
            agency = await make_agency(
                session, name=f"江州市测试局{agency_seed}", seed=agency_seed, family=family
            )
        issued = await add_client(
            session, name=name, agency_uscc=agency.uscc, scopes=scopes, jurisdiction=jurisdiction
        )
    return Credentials(issued.client.id, issued.secret, agency)


async def get_token(
    http: httpx.AsyncClient, credentials: Credentials, scope: str | None = None
) -> str:
    form = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    response = await http.post(
        "/oauth/token", data=form, auth=(credentials.client_id, credentials.client_secret)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def gql(
    http: httpx.AsyncClient,
    token: str | None,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    purpose: str | None = None,
) -> httpx.Response:
    """`purpose`: sent as X-Hub-Purpose, as a caller reading persons must state one."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if purpose:
        headers["X-Hub-Purpose"] = purpose
    return await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def create_postgres_database() -> tuple[str, str] | None:
    """A fresh database on the test server: (async URL, name), or None if unreachable."""
    admin = postgres_admin_url()
    try:
        connection = await asyncpg.connect(admin, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("HUB_REQUIRE_POSTGRES") == "1":
            postgres_unreachable(str(exc))
        return None
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = admin.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + "/" + name, name


async def drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(postgres_admin_url(), timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def run_cli(env: dict[str, str], *args: object) -> Any:
    """Runs `hub ARGS`. The CLI runs its own event loop (asyncio.run), so it gets a thread."""
    from click.testing import CliRunner

    from hub.cli import main

    return await asyncio.to_thread(
        CliRunner().invoke, main, [str(a) for a in args], env=env, catch_exceptions=False
    )


def audited(session: Any) -> Any:
    """A session whose reads of persons are noted, as the hub's edges open them."""
    from hub.audit.service import Caller, open_trail

    open_trail(session, Caller(None, None, "test"))
    return session


async def sequenced(runtime: Any, within: float = 5.0) -> None:
    """Waits until the hub's background sequencer has positioned every committed record
    event (it is woken after each write): the change feed then shows them all."""
    from sqlalchemy import select

    from hub.records.models import RecordEvent

    for _ in range(int(within / 0.05)):
        async with runtime.sessions() as session:
            waiting = await session.scalar(
                select(RecordEvent.id).where(RecordEvent.position.is_(None)).limit(1)
            )
        if waiting is None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the sequencer did not position the events within {within} s")
