"""Tokens from a trusted external issuer (HUB_EXTERNAL_ISSUER + HUB_EXTERNAL_JWKS): verified by
the IdP's keys, from a file or from a JWKS URL served here over real HTTP; the hub still
decides which client it is and what that client may do."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, Key, KeySet, OctKey, RSAKey
from support import get_token, gql, make_client, served

from hub.auth.external import ExternalIssuer
from hub.auth.jwks import MIN_REFETCH_SECONDS, FileKeys, RemoteKeys
from hub.auth.service import revoke_client
from hub.auth.verifier import TokenVerifier
from hub.errors import ConfigurationError, Unauthenticated
from hub.settings import Settings, TrustedIssuer

ISSUER = "https://idp.jiangzhou.gov.cn/realms/agencies"
AUDIENCE = Settings().issuer  # the default: tokens meant for the hub
ME = "{ records(first: 1) { edges { cursor } } }"
AWARD_CHECK = """query($i: CheckInput!) { check(input: $i) { verdict } }"""


def check_of(purpose: str) -> dict[str, Any]:
    return {
        "i": {"purpose": purpose, "subject": {"idNumber": "11010519491231002X"}, "reference": "R"}
    }


class IdP:
    """An external identity provider: its signing keys, and its JWKS served over HTTP."""

    def __init__(self) -> None:
        self.key: Key = ECKey.generate_key(
            "P-256", parameters={"kid": "ec-1", "alg": "ES256", "use": "sig"}
        )
        self.published: list[Key] = [self.key]
        self.fetches = 0
        self.status = 200
        self.delay = 0.0
        self.url = ""

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet(self.published).as_dict(private=False))

    def mint(
        self,
        client_id: str,
        scope: str = "records:read",
        *,
        key: Key | None = None,
        alg: str = "ES256",
        **claims: Any,
    ) -> str:
        key = key or self.key
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 300,
            "client_id": client_id,
            "scope": scope,
        }
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode({"alg": alg, "kid": key.kid}, payload, key, algorithms=[alg])

    def handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                idp.fetches += 1
                time.sleep(idp.delay)
                body = json.dumps(idp.jwks()).encode() if idp.status == 200 else b"unavailable"
                self.send_response(idp.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is what the slow-IdP test wants


@pytest.fixture
def idp() -> Iterator[IdP]:
    provider = IdP()
    server = QuietServer(("127.0.0.1", 0), provider.handler())
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_port}/realms/agencies/certs"
    yield provider
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def jwks_file(idp: IdP, tmp_path: Path) -> Path:
    path = tmp_path / "idp-jwks.json"
    path.write_text(json.dumps(idp.jwks()))
    return path


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/certs"


@asynccontextmanager
async def hub_trusting(
    db, keys_dir, keys, *, jwks_file: Path | None = None, jwks_url: str | None = None
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    trusted = TrustedIssuer(ISSUER, AUDIENCE, jwks_url=jwks_url, jwks_file=jwks_file)
    settings = Settings(database_url=db.url, keys_dir=keys_dir, external_issuer=trusted)
    async with served(settings, keys) as hub:
        yield hub, hub.http


def assert_unauthenticated(response: httpx.Response, words: str = "") -> None:
    assert response.status_code == 401, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert words in error["message"]


async def test_a_token_of_the_trusted_issuer_is_accepted(db, keys_dir, keys, idp, jwks_file):
    client = await make_client(db, "records:read")
    async with hub_trusting(db, keys_dir, keys, jwks_file=jwks_file) as (_, http):
        response = await gql(http, idp.mint(client.client_id), ME)
    assert response.status_code == 200
    assert "errors" not in response.json()


async def test_an_rs256_token_is_accepted_with_keys_from_the_jwks_url(db, keys_dir, keys, idp):
    idp.key = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "alg": "RS256", "use": "sig"})
    idp.published = [idp.key]
    client = await make_client(db, "records:read")
    async with hub_trusting(db, keys_dir, keys, jwks_url=idp.url) as (_, http):
        token = idp.mint(client.client_id, alg="RS256")
        responses = [await gql(http, token, ME) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert idp.fetches == 1  # cached


def _alg_none(idp: IdP, client_id: str) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = idp.mint(client_id).split(".")[1]
    return f"{header}.{payload}."


REFUSED: dict[str, Callable[[IdP, str], str]] = {
    "another issuer": lambda idp, c: idp.mint(c, iss="https://idp.elsewhere.example"),
    "another audience": lambda idp, c: idp.mint(c, aud="urn:some-other-service"),
    "expired": lambda idp, c: idp.mint(c, iat=int(time.time()) - 900, exp=int(time.time()) - 600),
    "no expiry": lambda idp, c: idp.mint(c, exp=None),
    "an unknown kid": lambda idp, c: idp.mint(
        c, key=ECKey.generate_key("P-256", parameters={"kid": "ec-9"})
    ),
    "a bad signature": lambda idp, c: idp.mint(
        c, key=ECKey.generate_key("P-256", parameters={"kid": "ec-1"})
    ),
    "alg none": _alg_none,
    "alg HS256": lambda idp, c: idp.mint(
        c, key=OctKey.generate_key(256, parameters={"kid": "ec-1"}), alg="HS256"
    ),
}


@pytest.mark.parametrize("case", REFUSED)
async def test_a_token_that_fails_verification_is_401(db, keys_dir, keys, idp, jwks_file, case):
    client = await make_client(db, "records:read")
    async with hub_trusting(db, keys_dir, keys, jwks_file=jwks_file) as (_, http):
        response = await gql(http, REFUSED[case](idp, client.client_id), ME)
    assert_unauthenticated(response, "access token")


async def test_the_client_must_be_registered_in_the_hub_and_not_revoked(
    db, keys_dir, keys, idp, jwks_file
):
    client = await make_client(db, "records:read")
    async with hub_trusting(db, keys_dir, keys, jwks_file=jwks_file) as (_, http):
        assert_unauthenticated(
            await gql(http, idp.mint("c_not_registered"), ME), "unknown or revoked"
        )
        token = idp.mint(client.client_id)
        assert (await gql(http, token, ME)).status_code == 200
        async with db.sessions.begin() as session:
            await revoke_client(session, client.client_id)
        assert_unauthenticated(await gql(http, token, ME), "unknown or revoked")


async def test_the_client_id_is_client_id_else_azp_else_sub(db, keys_dir, keys, idp, jwks_file):
    client = await make_client(db, "records:read")
    async with hub_trusting(db, keys_dir, keys, jwks_file=jwks_file) as (_, http):
        by_azp = idp.mint("", azp=client.client_id, sub="a-user")
        by_sub = idp.mint("", sub=client.client_id)
        assert (await gql(http, by_azp, ME)).status_code == 200
        assert (await gql(http, by_sub, ME)).status_code == 200
        assert_unauthenticated(await gql(http, idp.mint(""), ME), "names no client")


async def test_scopes_are_those_of_the_token_that_the_client_holds(
    db, keys_dir, keys, idp, jwks_file
):
    client = await make_client(db, "records:read check:hiring")
    async with hub_trusting(db, keys_dir, keys, jwks_file=jwks_file) as (_, http):
        token = idp.mint(client.client_id, scope="records:read check:award")
        assert "errors" not in (await gql(http, token, ME)).json()
        for purpose, scope in (("AWARD", "check:award"), ("HIRING", "check:hiring")):
            # check:award is in the token only, check:hiring in the client only
            [error] = (await gql(http, token, AWARD_CHECK, check_of(purpose))).json()["errors"]
            assert error["extensions"]["code"] == "FORBIDDEN"
            assert scope in error["message"]


async def test_the_hubs_own_tokens_keep_working_beside_the_external_ones(
    db, keys_dir, keys, jwks_file
):
    client = await make_client(db, "records:read")
    async with hub_trusting(db, keys_dir, keys, jwks_file=jwks_file) as (_, http):
        token = await get_token(http, client)
        assert (await gql(http, token, ME)).status_code == 200
        assert_unauthenticated(await gql(http, "not.a.token", ME))


async def test_a_key_rotated_in_at_the_idp_is_fetched_when_a_token_names_it(
    db, keys_dir, keys, idp
):
    client = await make_client(db, "records:read")
    clock = Clock()
    async with hub_trusting(db, keys_dir, keys, jwks_url=idp.url) as (hub, http):
        remote = RemoteKeys(idp.url, clock=clock)
        hub.use(verifier=TokenVerifier(hub.web.tokens, ExternalIssuer(ISSUER, AUDIENCE, remote)))
        assert (await gql(http, idp.mint(client.client_id), ME)).status_code == 200
        idp.key = ECKey.generate_key("P-256", parameters={"kid": "ec-2", "alg": "ES256"})
        idp.published = [idp.key, *idp.published]
        clock.now += MIN_REFETCH_SECONDS
        assert (await gql(http, idp.mint(client.client_id), ME)).status_code == 200
    assert idp.fetches == 2


async def test_the_jwks_url_down_is_401_not_an_error(db, keys_dir, keys, idp):
    client = await make_client(db, "records:read")
    async with hub_trusting(db, keys_dir, keys, jwks_url=closed_port_url()) as (_, http):
        response = await gql(http, idp.mint(client.client_id), ME)
    assert_unauthenticated(response, "keys of its issuer are unavailable")


async def test_made_up_kids_cost_at_most_one_fetch_per_interval(idp):
    clock = Clock()
    remote = RemoteKeys(idp.url, clock=clock)
    await asyncio.gather(*(remote.key_set(f"made-up-{n}") for n in range(5)))
    assert idp.fetches == 1  # concurrent requests share the first fetch
    for n in range(5):
        await remote.key_set(f"made-up-again-{n}")
    assert idp.fetches == 1
    clock.now += MIN_REFETCH_SECONDS
    for n in range(5):
        await remote.key_set(f"and-again-{n}")
    assert idp.fetches == 2


@pytest.mark.parametrize("failure", ["503", "not a JWKS", "a private key", "too slow"])
async def test_a_failed_fetch_is_unauthenticated(idp, failure):
    if failure == "503":
        idp.status = 503
    elif failure == "not a JWKS":
        idp.jwks = lambda: {"issuer": ISSUER}  # type: ignore[method-assign]
    elif failure == "a private key":
        idp.jwks = lambda: KeySet([idp.key]).as_dict(private=True)  # type: ignore[method-assign]
    else:
        idp.delay = 1.0
    started = time.monotonic()
    with pytest.raises(Unauthenticated, match="unavailable"):
        await RemoteKeys(idp.url, timeout=0.2).key_set("ec-1")
    assert time.monotonic() - started < 0.9


async def test_keys_fetched_before_stay_in_use_while_the_idp_is_down(idp):
    clock = Clock()
    remote = RemoteKeys(idp.url, clock=clock, max_age=600)
    before = await remote.key_set("ec-1")
    idp.status = 503
    clock.now += 601
    assert await remote.key_set("ec-1") is before
    assert idp.fetches == 2


async def test_keys_withdrawn_at_the_idp_stop_verifying_after_max_age(idp):
    clock = Clock()
    remote = RemoteKeys(idp.url, clock=clock, max_age=600)
    await remote.key_set("ec-1")
    idp.published = [ECKey.generate_key("P-256", parameters={"kid": "ec-2"})]
    clock.now += 601
    assert [key.kid for key in await remote.key_set("ec-1")] == ["ec-2"]


@pytest.mark.parametrize(
    "content", ["not json", '{"keys": "none"}', '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}']
)
def test_a_bad_jwks_file_stops_the_start_naming_the_variable(tmp_path, content):
    path = tmp_path / "jwks.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError) as raised:
        FileKeys(path)
    assert raised.value.field == "HUB_EXTERNAL_JWKS"


async def test_a_missing_jwks_file_stops_the_start(tmp_path, keys_dir, keys):
    trusted = TrustedIssuer(ISSUER, AUDIENCE, jwks_file=tmp_path / "absent.json")
    with pytest.raises(ConfigurationError) as raised:  # the hub does not start
        database = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
        settings = Settings(database_url=database, keys_dir=keys_dir, external_issuer=trusted)
        async with served(settings, keys):
            pass
    assert raised.value.field == "HUB_EXTERNAL_JWKS"
