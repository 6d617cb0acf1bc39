"""Per-caller token buckets: RATE_LIMITED with Retry-After, per-client limits from settings,
anonymous callers limited by address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from support import Served, get_token, gql, make_client, served

from hub.errors import ConfigurationError
from hub.settings import RateLimit, Settings
from hub.web.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_the_caller_waits_for_the_rate():
    clock = Clock()
    limiter = RateLimiter(RateLimit(rate=2, burst=3), {}, clock=clock)
    assert [limiter.retry_after("c", "a") for _ in range(3)] == [None, None, None]
    assert limiter.retry_after("c", "a") == 1  # half a second, rounded up to whole seconds
    clock.now += 0.5
    assert limiter.retry_after("c", "a") is None
    assert limiter.retry_after("c", "a") == 1


def test_retry_after_is_the_time_to_the_next_token():
    limiter = RateLimiter(RateLimit(rate=0.1, burst=1), {}, clock=Clock())
    assert limiter.retry_after("c", "a") is None
    assert limiter.retry_after("c", "a") == 10


def test_each_client_has_its_own_bucket_and_may_have_its_own_limit():
    limiter = RateLimiter(RateLimit(rate=1, burst=1), {"big": RateLimit(1, 3)}, clock=Clock())
    assert limiter.retry_after("small", "a") is None
    assert limiter.retry_after("small", "a") is not None
    assert [limiter.retry_after("big", "a") for _ in range(3)] == [None, None, None]
    assert limiter.retry_after("big", "a") is not None


def test_anonymous_callers_are_limited_by_address():
    limiter = RateLimiter(RateLimit(rate=1, burst=1), {}, clock=Clock())
    assert limiter.retry_after(None, "10.0.0.1") is None
    assert limiter.retry_after(None, "10.0.0.1") is not None
    assert limiter.retry_after(None, "10.0.0.2") is None
    assert limiter.retry_after("c", "10.0.0.1") is None  # a client is limited by its id


def test_no_default_limit_means_unlimited_except_for_clients_named():
    limiter = RateLimiter(None, {"named": RateLimit(1, 1)}, clock=Clock())
    assert all(limiter.retry_after("other", "a") is None for _ in range(1000))
    assert limiter.retry_after("named", "a") is None
    assert limiter.retry_after("named", "a") is not None


def test_memory_is_bounded_by_forgetting_the_least_recent_caller():
    limiter = RateLimiter(RateLimit(rate=1, burst=1), {}, clock=Clock(), max_callers=2)
    for address in ("a", "b", "a", "c"):  # "b" is the least recently seen when "c" arrives
        limiter.retry_after(None, address)
    assert limiter.retry_after(None, "a") is not None
    assert limiter.retry_after(None, "b") is None  # forgotten: a full bucket again


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
