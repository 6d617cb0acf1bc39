"""Per-caller token buckets: RATE_LIMITED with Retry-After, per-client limits from settings,
anonymous callers limited by address."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from support import Served, get_token, gql, make_client, served

from hub.db.engine import create_engine
from hub.errors import ConfigurationError
from hub.settings import RateLimit, Settings
from hub.web.ratelimit import DatabaseStore, MemoryStore, RateLimiter, RedisStore, Store


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


REDIS_URL = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "database", "redis"])
async def store(request, db) -> AsyncIterator[Callable[[], Store]]:
    """A factory of stores of one kind; for a shared kind, every store made shares the
    buckets (as two processes of one hub would: separate engines, separate connections)."""
    made: list[Any] = []
    prefix = f"hub-test:{uuid.uuid4().hex}:"

    def make() -> Store:
        if request.param == "memory":
            return MemoryStore()
        if request.param == "database":
            engine = create_engine(db.url)
            made.append(engine)
            return DatabaseStore(engine)
        redis_store = RedisStore(REDIS_URL, prefix=prefix)
        made.append(redis_store)
        return redis_store

    if request.param == "redis":
        await _require_redis()
    yield make
    for thing in made:
        await (thing.dispose() if hasattr(thing, "dispose") else thing.close())


async def _require_redis() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as error:
        if os.environ.get("HUB_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required (HUB_REQUIRE_REDIS=1) but unreachable: {error}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    finally:
        await client.aclose()


async def test_a_burst_is_allowed_then_the_caller_waits_for_the_rate(store):
    clock = Clock()
    limiter = RateLimiter(RateLimit(rate=2, burst=3), {}, store=store(), clock=clock)
    assert [await limiter.retry_after("c", "a") for _ in range(3)] == [None, None, None]
    assert await limiter.retry_after("c", "a") == 1  # half a second, rounded up
    clock.now += 0.5
    assert await limiter.retry_after("c", "a") is None
    assert await limiter.retry_after("c", "a") == 1


async def test_retry_after_is_the_time_to_the_next_token(store):
    limiter = RateLimiter(RateLimit(rate=0.1, burst=1), {}, store=store(), clock=Clock())
    assert await limiter.retry_after("c", "a") is None
    assert await limiter.retry_after("c", "a") == 10


async def test_each_client_has_its_own_bucket_and_may_have_its_own_limit(store):
    limits = {"big": RateLimit(1, 3)}
    limiter = RateLimiter(RateLimit(rate=1, burst=1), limits, store=store(), clock=Clock())
    assert await limiter.retry_after("small", "a") is None
    assert await limiter.retry_after("small", "a") is not None
    assert [await limiter.retry_after("big", "a") for _ in range(3)] == [None, None, None]
    assert await limiter.retry_after("big", "a") is not None


async def test_anonymous_callers_are_limited_by_address(store):
    limiter = RateLimiter(RateLimit(rate=1, burst=1), {}, store=store(), clock=Clock())
    assert await limiter.retry_after(None, "10.0.0.1") is None
    assert await limiter.retry_after(None, "10.0.0.1") is not None
    assert await limiter.retry_after(None, "10.0.0.2") is None
    assert await limiter.retry_after("c", "10.0.0.1") is None  # a client by its id


async def test_no_default_limit_means_unlimited_except_for_clients_named(store):
    limiter = RateLimiter(None, {"named": RateLimit(1, 1)}, store=store(), clock=Clock())
    assert all([await limiter.retry_after("other", "a") is None for _ in range(100)])
    assert await limiter.retry_after("named", "a") is None
    assert await limiter.retry_after("named", "a") is not None


async def test_processes_sharing_a_store_share_the_limit(store):
    """Two limiters on one shared store (two hub processes) allow the burst once between
    them; with memory stores, each process allows it (the limitation the shared stores fix)."""
    clock = Clock()
    limit = RateLimit(rate=1, burst=4)
    first, second = store(), store()
    one = RateLimiter(limit, {}, store=first, clock=clock)
    two = RateLimiter(limit, {}, store=second, clock=clock)
    answers = [await (one if i % 2 else two).retry_after("c", "a") for i in range(10)]
    allowed = sum(answer is None for answer in answers)
    assert allowed == (8 if isinstance(first, MemoryStore) else 4)


async def test_concurrent_requests_on_a_shared_store_never_exceed_the_burst(store):
    clock = Clock()
    limiters = [RateLimiter(RateLimit(rate=0.001, burst=5), {}, store=store(), clock=clock)
                for _ in range(2)]  # fmt: skip
    answers = await asyncio.gather(*(limiters[i % 2].retry_after("c", "a") for i in range(40)))
    allowed = sum(answer is None for answer in answers)
    assert allowed == (10 if isinstance(limiters[0]._store, MemoryStore) else 5)


async def test_namespaces_keep_limiters_on_one_store_apart(store):
    shared = store()
    api = RateLimiter(RateLimit(1, 1), {}, store=shared, clock=Clock())
    tokens = RateLimiter(RateLimit(1, 1), {}, store=shared, namespace="token", clock=Clock())
    assert await api.retry_after(None, "a") is None
    assert await tokens.retry_after(None, "a") is None


def test_the_store_is_chosen_by_setting():
    assert Settings.from_env({}).rate_limit_store == "memory"
    assert Settings.from_env({"HUB_RATE_LIMIT_STORE": "database"}).rate_limit_store == "database"
    assert Settings.from_env({"HUB_RATE_LIMIT_STORE": "redis://r:6379/0"}).rate_limit_store
    with pytest.raises(ConfigurationError, match="HUB_RATE_LIMIT_STORE"):
        Settings.from_env({"HUB_RATE_LIMIT_STORE": "memcached"})


def test_settings_read_the_limits_from_the_environment():
    settings = Settings.from_env(
        {"HUB_RATE_LIMIT": "5/10", "HUB_RATE_LIMITS_PER_CLIENT": "c-1=0.5/2, c-2=200/400"}
    )
    assert settings.rate_limit == RateLimit(5, 10)
    assert settings.rate_limits_per_client == {"c-1": RateLimit(0.5, 2), "c-2": RateLimit(200, 400)}
    assert Settings.from_env({}).rate_limit == RateLimit(50, 100)
    assert Settings.from_env({"HUB_RATE_LIMIT": "off"}).rate_limit is None
    assert "rate_limit='5/10'" in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUB_RATE_LIMIT", "50"),
        ("HUB_RATE_LIMIT", "0/10"),
        ("HUB_RATE_LIMIT", "5/0"),
        ("HUB_RATE_LIMIT", "nan/10"),
        ("HUB_RATE_LIMITS_PER_CLIENT", "c-1"),
        ("HUB_RATE_LIMITS_PER_CLIENT", "=5/10"),
        ("HUB_RATE_LIMITS_PER_CLIENT", "c-1=fast"),
    ],
)
def test_bad_limits_name_their_variable(variable, value):
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({variable: value})
    assert raised.value.field == variable
    assert "rate/burst" in raised.value.message


@asynccontextmanager
async def serving(settings: Settings, keys) -> AsyncIterator[Served]:
    async with served(settings, keys) as hub:
        yield hub


def client_of(hub: Served, address: str = "127.0.0.1") -> httpx.AsyncClient:
    return hub.client(address)


async def test_a_client_over_its_limit_gets_rate_limited_with_retry_after(db, keys_dir, keys):
    settings = Settings(
        database_url=db.url, env="production", keys_dir=keys_dir, rate_limit=RateLimit(0.01, 2)
    )
    async with serving(settings, keys) as app, client_of(app) as http:
        first = await get_token(http, await make_client(db, "records:read", agency_seed=1))
        second = await get_token(http, await make_client(db, "records:read", agency_seed=2))
        for _ in range(2):
            assert (await gql(http, first, "{ __typename }")).status_code == 200
        refused = await gql(http, first, "{ __typename }")
        assert refused.status_code == 429
        [error] = refused.json()["errors"]
        wait = int(refused.headers["Retry-After"])  # one token in 100 s
        assert 1 <= wait <= 100
        # The same wait in the body, which a federation gateway passes on.
        assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": wait}
        assert error["message"] == f"too many requests; retry after {wait} s"
        assert (await gql(http, second, "{ __typename }")).status_code == 200


async def test_a_client_named_in_the_settings_gets_its_own_limit(db, keys_dir, keys):
    credentials = await make_client(db, "records:read")
    settings = Settings(
        database_url=db.url,
        keys_dir=keys_dir,
        rate_limit=RateLimit(0.01, 1),
        rate_limits_per_client={credentials.client_id: RateLimit(0.01, 3)},
    )
    async with serving(settings, keys) as app, client_of(app) as http:
        token = await get_token(http, credentials)
        statuses = [(await gql(http, token, "{ __typename }")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_anonymous_report_verification_is_limited_per_address(db, keys_dir, keys):
    settings = Settings(database_url=db.url, keys_dir=keys_dir, rate_limit=RateLimit(0.01, 1))
    verify = '{ verifyReport(token: "x") { valid } }'
    async with (
        serving(settings, keys) as app,
        client_of(app, "10.0.0.1") as one,
        client_of(app, "10.0.0.2") as two,
    ):
        assert (await gql(one, None, verify)).json()["data"]["verifyReport"]["valid"] is False
        assert (await gql(one, None, verify)).status_code == 429
        assert (await gql(two, None, verify)).status_code == 200


@pytest.mark.parametrize("kind", ["database", "redis"])
async def test_two_hub_processes_share_a_clients_limit(serve, db, kind):
    """Two apps, each with its own runtime and engine (two processes of one hub), on one
    shared store: the client's burst of 3 is spent once between them."""
    if kind == "redis":
        await _require_redis()
    store = "database" if kind == "database" else REDIS_URL
    credentials = await make_client(db, "records:read")
    async with (
        serve(rate_limit=RateLimit(0.01, 3), rate_limit_store=store) as one,
        serve(rate_limit=RateLimit(0.01, 3), rate_limit_store=store) as two,
    ):
        token = await get_token(one.http, credentials)
        statuses = [
            (await gql(hub.http, token, "{ __typename }")).status_code
            for hub in (one, two, one, two, one)
        ]
    assert statuses == [200, 200, 200, 429, 429]
