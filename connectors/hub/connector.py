"""The hub connector: another hub's change feed (a city hub, read by its province), pulled
with client credentials and applied through the same ingest engine as every other source.

The cursor is the other hub's opaque `endCursor`, committed with the rows of each page: a
killed run resumes after the last committed page, and re-applying a page is harmless (each
event carries the record as it stands, and the upsert is idempotent). A cursor the other hub
no longer keeps (CURSOR_EXPIRED) restarts from its snapshot, then follows the feed."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from connectors.base import (
    Checkpoint,
    ConfigError,
    RosterEntry,
    Row,
    SourceDataError,
    SourceRecord,
    Stream,
    TransientError,
    option,
)
from connectors.hub.mapping import feed_record

STREAM = Stream(
    name="changes",
    key_fields=("origin", "source_ref"),
    cursor_field=None,  # the other hub's cursor is opaque
    description="另一平台的变更流（逐级归集）：记录、状态、异议、修复与撤回",
)
NEEDED_SCOPES = ("sync:read", "records:read:pii")
FIELDS = "edges { node { id type subject data } } pageInfo { hasNextPage endCursor }"
CHANGES = "query($after: String, $first: Int) { changes(after: $after, first: $first) { %s } }"
SNAPSHOT = (
    "query($after: String, $first: Int) { recordsSnapshot(after: $after, first: $first) "
    "{ %s feedCursor } }"
)


@dataclass(frozen=True)
class Config:
    """Where the other hub is, and this hub's client there."""

    url: str = field(
        metadata=option("The other hub's GraphQL endpoint, e.g. https://city-hub/graphql.")
    )
    client_id: str = field(metadata=option("This hub's client id at the other hub."))
    client_secret: str = field(
        repr=False,
        metadata=option(
            "The client's secret; needs sync:read and records:read:pii there.", secret=True
        ),
    )
    page_size: int = field(
        default=500, metadata=option("Changes per request (1–5000); a checkpoint after each.")
    )
    timeout_s: float = field(default=30.0, metadata=option("Seconds to wait for each answer."))
    max_retries: int = field(
        default=5, metadata=option("Retries of a request after a connection error or a 5xx.")
    )
    checkpoint_every: int = field(
        default=5000, metadata=option("Upper bound of the page size (the hub's transactions).")
    )


class HubFeedApi:
    """The other hub over HTTP: a token by client credentials, then GraphQL pages."""

    def __init__(self, config: Config, client: httpx.Client) -> None:
        self._config = config
        self._client = client
        self._token: str | None = None

    def token(self) -> str:
        url = httpx.URL(self._config.url).join("/oauth/token")
        response = self._send(
            "POST", url, data={"grant_type": "client_credentials"},
            auth=(self._config.client_id, self._config.client_secret),
        )  # fmt: skip
        if response.status_code in (400, 401):
            raise ConfigError(
                f"the other hub refused the client credentials of {self._config.client_id!r}",
                operator_detail=f"HTTP {response.status_code}",
            )
        body = _json(response, "the token answer")
        granted = set(str(body.get("scope") or "").split())
        lacking = [s for s in NEEDED_SCOPES if s not in granted]
        if lacking:
            raise ConfigError(
                f"the client {self._config.client_id!r} lacks {', '.join(lacking)} at the other "
                "hub: ask its operator to grant them"
            )
        self._token = str(body["access_token"])
        return self._token

    def page(self, query: str, after: str | None) -> dict[str, Any]:
        """One page of `changes` or `recordsSnapshot`; a refused token is renewed once."""
        first = min(self._config.page_size, self._config.checkpoint_every)
        variables = {"after": after, "first": first}
        for renewed in (False, True):
            response = self._send(
                "POST", self._config.url, json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {self._token or self.token()}"},
            )  # fmt: skip
            if response.status_code == 401 and not renewed:
                self._token = None
                continue
            body = _json(response, "a feed page")
            errors = body.get("errors") or []
            if errors:
                raise _graphql_error(errors[0])
            data = body.get("data") or {}
            return dict(next(iter(data.values())))
        raise ConfigError("the other hub refused a token it had just issued")

    def _send(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:
        failure = ""
        for attempt in range(self._config.max_retries + 1):
            try:
                response = self._client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                failure = type(exc).__name__
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                failure = f"HTTP {response.status_code}"
            if attempt < self._config.max_retries:
                time.sleep(min(10.0, 0.2 * 2**attempt))
        raise TransientError(
            f"the other hub at {self._config.url} did not answer (last: {failure}); the next "
            "run resumes after the last committed page"
        )


class CursorExpired(Exception):
    """The other hub no longer keeps the changes after our cursor."""


def _graphql_error(error: Mapping[str, Any]) -> Exception:
    code = (error.get("extensions") or {}).get("code")
    if code == "CURSOR_EXPIRED":
        return CursorExpired()
    if code == "RATE_LIMITED":
        return TransientError("the other hub asks to slow down (RATE_LIMITED)")
    return ConfigError(f"the other hub answered {code}: {error.get('message')}")


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ConfigError(
            f"{what} from {response.request.url} is not JSON: is this a hub?",
            operator_detail=f"HTTP {response.status_code}, body starts {response.text[:200]!r}",
        )
    return body


class HubConnector:
    """Pull another hub's change feed (a city hub, for its province): its snapshot first,
    then every change after it. --agency names the other hub's operator (family OTHER); the
    records are kept under their own source agencies and their origin hub."""

    name = "hub"
    # Another hub is run by a credit platform's operator, registered as OTHER.
    family = "OTHER"

    def spec(self) -> type[Config]:
        return Config

    def check(self, config: Config) -> None:
        validate(config)
        with _client(config) as client:
            HubFeedApi(config, client).token()

    def describe(self, config: Config) -> str:
        return config.url

    def remap(
        self, stream: str, raw: Mapping[str, Any], today: date
    ) -> Sequence[SourceRecord | RosterEntry]:
        return [feed_record(raw)]

    def discover(self, config: Config) -> list[Stream]:
        return [STREAM]

    def read(
        self, config: Config, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]:
        validate(config)
        with _client(config) as client:
            api = HubFeedApi(config, client)
            after = state.get("after")
            if "snapshot" in state or not state:
                after = yield from self._snapshot(api, stream, state)
            yield from self._follow(api, stream, after)

    def _snapshot(
        self, api: HubFeedApi, stream: Stream, state: Mapping[str, Any]
    ) -> Generator[Row | Checkpoint, None, str]:
        """A first run (or one after CURSOR_EXPIRED) starts from the snapshot, then from the
        feed position it was taken at; resumable page by page like the feed itself."""
        after = state.get("snapshot")
        while True:
            page = api.page(SNAPSHOT % FIELDS, after)
            yield from _rows(stream.name, page, "snapshot")
            after = page["pageInfo"]["endCursor"] or after
            if not page["pageInfo"]["hasNextPage"]:
                feed = str(page["feedCursor"])
                yield Checkpoint(stream.name, {"after": feed})
                return feed
            yield Checkpoint(stream.name, {"snapshot": after})

    def _follow(
        self, api: HubFeedApi, stream: Stream, after: str | None
    ) -> Iterator[Row | Checkpoint]:
        while True:
            try:
                page = api.page(CHANGES % FIELDS, after)
            except CursorExpired:
                # Start again from a snapshot (state says so, should this run be cut off).
                yield Checkpoint(stream.name, {"snapshot": None}, {"resync": "CURSOR_EXPIRED"})
                after = yield from self._snapshot(api, stream, {})
                continue
            yield from _rows(stream.name, page, "changes")
            after = page["pageInfo"]["endCursor"] or after
            yield Checkpoint(stream.name, {"after": after})
            if not page["pageInfo"]["hasNextPage"]:
                return


def _rows(stream: str, page: Mapping[str, Any], what: str) -> Iterator[Row]:
    for edge in page.get("edges") or []:
        node = edge.get("node") or {}
        location = f"{what} event {node.get('id')}"
        try:
            yield Row(stream, node, location, record=feed_record(node))
        except SourceDataError as exc:
            yield Row(stream, node, location, problem=(exc.field, exc.message))


def validate(config: Config) -> None:
    try:
        url = httpx.URL(config.url)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"url {config.url!r} is not an http(s) URL, e.g. https://host/graphql")
    if not 1 <= config.page_size <= 5000:
        raise ConfigError("page_size must be between 1 and 5000")
    if config.checkpoint_every < 1 or config.max_retries < 0 or config.timeout_s <= 0:
        raise ConfigError("checkpoint_every, max_retries and timeout_s must be positive")


def _client(config: Config) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(config.timeout_s), follow_redirects=False)
