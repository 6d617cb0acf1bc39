"""POST /oauth/token is rate limited per caller address and per client id
(HUB_TOKEN_RATE_LIMIT): a refusal is 429 with Retry-After and an RFC 6749-shaped JSON body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from support import Credentials, Served, make_client, served

from hub.errors import ConfigurationError
from hub.settings import DEFAULT_TOKEN_RATE_LIMIT, RateLimit, Settings


@asynccontextmanager
async def hub_with(db, keys_dir, keys, limit: RateLimit | None) -> AsyncIterator[Served]:
    settings = Settings(database_url=db.url, keys_dir=keys_dir, token_rate_limit=limit)
    async with served(settings, keys) as hub:
        yield hub


def caller(hub: Served, address: str = "10.0.0.1") -> httpx.AsyncClient:
    return hub.client(address)


async def ask(
    http: httpx.AsyncClient, credentials: Credentials, secret: str | None = None
) -> httpx.Response:
    return await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials.client_id, secret or credentials.client_secret),
    )


def test_the_limit_is_read_from_the_environment():
    assert Settings.from_env({}).token_rate_limit == DEFAULT_TOKEN_RATE_LIMIT == RateLimit(1, 10)
    assert Settings.from_env({"HUB_TOKEN_RATE_LIMIT": "0.5/3"}).token_rate_limit == RateLimit(
        0.5, 3
    )
    assert Settings.from_env({"HUB_TOKEN_RATE_LIMIT": "off"}).token_rate_limit is None
    assert "token_rate_limit='0.5/3'" in repr(Settings.from_env({"HUB_TOKEN_RATE_LIMIT": "0.5/3"}))


@pytest.mark.parametrize("value", ["10", "0/10", "fast"])
def test_a_bad_limit_names_its_variable(value):
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({"HUB_TOKEN_RATE_LIMIT": value})
    assert raised.value.field == "HUB_TOKEN_RATE_LIMIT"


async def test_a_client_over_its_limit_gets_429_with_retry_after(db, keys_dir, keys):
    credentials = await make_client(db, "records:read")
    async with (
        hub_with(db, keys_dir, keys, RateLimit(0.01, 2)) as app,
        caller(app, "10.0.0.1") as one,
        caller(app, "10.0.0.2") as two,
    ):
        assert (await ask(one, credentials)).status_code == 200
        assert (await ask(two, credentials)).status_code == 200  # its own bucket there
        assert (await ask(one, credentials)).status_code == 200
        refused = await ask(one, credentials)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 100
    assert refused.json() == {
        "error": "rate_limited",
        "error_description": f"too many token requests; retry after {wait} s",
    }
    assert refused.headers["cache-control"] == "no-store"


async def test_guesses_from_other_addresses_never_lock_a_client_out(db, keys_dir, keys):
    """The client's bucket is per address: an attacker spending it with wrong secrets from
    its own addresses leaves the client's own address untouched."""
    credentials = await make_client(db, "records:read")
    async with hub_with(db, keys_dir, keys, RateLimit(0.01, 2)) as app:
        for n in range(5):
            async with caller(app, f"10.9.0.{n}") as attacker:
                statuses = [
                    (await ask(attacker, credentials, "guess")).status_code for _ in range(3)
                ]
                assert statuses == [401, 401, 429]
        async with caller(app, "10.0.0.1") as owner:
            assert (await ask(owner, credentials)).status_code == 200


async def test_an_address_over_its_limit_is_refused_for_every_client(db, keys_dir, keys):
    first = await make_client(db, "records:read", agency_seed=1)
    second = await make_client(db, "records:read", agency_seed=2)
    async with (
        hub_with(db, keys_dir, keys, RateLimit(0.01, 2)) as app,
        caller(app, "10.0.0.1") as guesser,
        caller(app, "10.0.0.2") as other,
    ):
        assert (await ask(guesser, first)).status_code == 200
        assert (await ask(guesser, second)).status_code == 200
        assert (await ask(guesser, second)).status_code == 429
        assert (await ask(other, second)).status_code == 200  # `second` was not charged


async def test_wrong_secrets_use_up_the_limit_so_guessing_is_slow(db, keys_dir, keys):
    credentials = await make_client(db, "records:read")
    async with hub_with(db, keys_dir, keys, RateLimit(0.01, 3)) as app, caller(app) as http:
        statuses = [(await ask(http, credentials, f"guess-{n}")).status_code for n in range(3)]
        assert statuses == [401, 401, 401]
        assert (await ask(http, credentials)).status_code == 429  # even with the right secret


async def test_refusals_are_counted_in_the_rate_limited_metric(db, keys_dir, keys):
    credentials = await make_client(db, "records:read")
    async with hub_with(db, keys_dir, keys, RateLimit(0.01, 1)) as app, caller(app) as http:
        for _ in range(3):
            await ask(http, credentials)
        metrics = (await http.get("/metrics")).text
    assert 'hub_rate_limited_total{client="/oauth/token"} 2.0' in metrics


async def test_off_means_no_limit(db, keys_dir, keys):
    credentials = await make_client(db, "records:read")
    async with hub_with(db, keys_dir, keys, None) as app, caller(app) as http:
        statuses = {(await ask(http, credentials, "wrong")).status_code for _ in range(12)}
    assert statuses == {401}
