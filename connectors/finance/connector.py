"""Procurement contracts from the finance department's paged JSON API (see README.md):
GET {base_url}/contracts?cursor=<opaque>&limit=<n> → {"items": [...], "next_cursor": …}.

A page is the unit of progress: the state after a page names the position after it, so a
crash re-reads at most the page in flight. A page that is not the API's JSON stops the run
before it — its items, and the cursor after it, are unknown, so skipping it would lose them.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

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
from connectors.finance.mapping import contract_records, rejudge, watch_entry

CHINA = ZoneInfo("Asia/Shanghai")
STREAM = Stream(
    name="contracts",
    key_fields=("contract_id",),
    cursor_field=None,  # the API's cursor is opaque: the source decides the order
    description="采购合同：拖欠中小企业账款 (PAYMENT_ARREARS) 与采购违约 (PROCUREMENT_BREACH)",
)
TRANSIENT_STATUSES = frozenset({408, 429})  # and every 5xx


@dataclass(frozen=True)
class Config:
    base_url: str = field(
        metadata=option(
            "The API's root, e.g. https://czj.example.gov.cn/procurement/v1; contracts are read "
            "from {base_url}/contracts.",
            flag="--url",
        )
    )
    token: str | None = field(
        default=None,
        repr=False,
        metadata=option(
            "Bearer token sent as `Authorization: Bearer …`; never logged or shown.", secret=True
        ),
    )
    page_size: int = field(
        default=200, metadata=option("Items asked for per request (`limit`); one page a step.")
    )
    timeout_s: float = field(
        default=10.0, metadata=option("Seconds to wait for the connection and for each read.")
    )
    max_retries: int = field(
        default=5,
        metadata=option("Retries of a page after a connection error, a timeout, 408, 429 or 5xx."),
    )
    backoff_s: float = field(
        default=0.2, metadata=option("First wait before a retry; doubles, up to max_backoff_s.")
    )
    max_backoff_s: float = field(
        default=10.0, metadata=option("The longest wait before a retry (also for Retry-After).")
    )
    as_of: str | None = field(
        default=None,
        metadata=option("The day (2024-06-30) unpaid contracts are judged on; default today."),
    )
    checkpoint_every: int = field(
        default=1000,
        metadata=option("Upper bound of the page size: a checkpoint follows every page."),
    )


@dataclass(frozen=True)
class Page:
    number: int  # within this run, from 1
    cursor: str | None  # the cursor that fetched it; None: the start of the feed
    items: list[Any]
    next_cursor: str | None  # None: nothing after this page yet


class ContractApi:
    """One page at a time, retrying what may pass and refusing what an operator must fix."""

    def __init__(
        self, config: Config, client: httpx.Client, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._config = config
        self._client = client
        self._sleep = sleep
        self._url = config.base_url.rstrip("/") + "/contracts"

    def page(self, cursor: str | None, limit: int, number: int) -> Page:
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = self._get(params, number)
        body = _json_body(response, number)
        next_cursor = body["next_cursor"]
        if next_cursor is not None and next_cursor == cursor:
            raise ConfigError(
                f"page {number} from {self._url} names itself as the next page "
                f"(cursor {cursor!r}): the API would be read forever"
            )
        return Page(number, cursor, body["items"], next_cursor)

    def _get(self, params: Mapping[str, str | int], number: int) -> httpx.Response:
        attempts = self._config.max_retries + 1
        failure = ""
        for attempt in range(attempts):
            wait: float | None = None
            try:
                response = self._client.get(self._url, params=params)
            except httpx.TransportError as exc:  # refused, reset, timed out
                failure = f"{type(exc).__name__}: {exc}"
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status not in TRANSIENT_STATUSES and status < 500:
                    raise _refusal(response, number)
                failure, wait = f"HTTP {status}", _retry_after(response)
            if attempt + 1 < attempts:
                self._sleep(self._backoff(attempt, wait))
        raise TransientError(
            f"page {number} from {self._url} failed {attempts} times (last: {failure}); "
            "the source is unavailable; the next run resumes after the last checkpoint"
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        wait = retry_after if retry_after is not None else self._config.backoff_s * 2**attempt
        return max(0.0, min(wait, self._config.max_backoff_s))


class FinanceConnector:
    name = "finance"
    family = "FINANCE"  # the agencies whose systems this reads (AgencyFamily)

    def spec(self) -> type[Config]:
        return Config

    def check(self, config: Config) -> None:
        """Validates the config and reads one item, so a wrong URL or token fails here."""
        validate(config)
        with _client(config) as client:
            ContractApi(config, client).page(None, 1, 1)

    def describe(self, config: Config) -> str:
        return config.base_url

    def remap(
        self, stream: str, raw: Mapping[str, Any], today: date
    ) -> Sequence[SourceRecord | RosterEntry]:
        # Arrears depend on the day they are judged: a replay judges them today.
        return contract_records(raw, today)

    def discover(self, config: Config) -> list[Stream]:
        return [STREAM]

    def read(
        self, config: Config, stream: Stream, state: Mapping[str, Any]
    ) -> Iterator[Row | Checkpoint]:
        validate(config)
        as_of = judgement_day(config)
        cursor, skip, watch = _position(state)
        notes = {"as_of": as_of.isoformat(), "api": config.base_url}
        limit = min(config.page_size, config.checkpoint_every)
        with _client(config) as client:
            api = ContractApi(config, client)
            number = 0
            while True:
                number += 1
                page = api.page(cursor, limit, number)
                yield from _page_rows(stream.name, page, skip, watch, as_of)
                if page.next_cursor is None:
                    # The end for now: keep this page's position and how much of it is read,
                    # so items appended to it later are read next time, and only they.
                    skip = len(page.items)
                    # After the feed, so that a contract the source sent again is judged in
                    # its newest version.
                    yield from _rejudged(stream.name, watch, as_of)
                else:
                    cursor, skip = page.next_cursor, 0
                yield Checkpoint(stream.name, _state(cursor, skip, watch), notes)
                notes = {}
                if page.next_cursor is None:
                    return


def _page_rows(
    stream: str, page: Page, skip: int, watch: dict[str, Any], as_of: date
) -> Iterator[Row]:
    """One Row per record of each item after the first `skip`; updates `watch`."""
    for index, item in enumerate(page.items[skip:], start=skip + 1):
        location = f"page {page.number}, item {index}"
        if not isinstance(item, dict):
            yield Row(stream, {"item": item}, location, problem=("item", "not a JSON object"))
            continue
        contract_id = str(item.get("contract_id") or "").strip()
        try:
            records = contract_records(item, as_of)
            entry = watch_entry(item, as_of)
        except SourceDataError as exc:
            watch.pop(contract_id, None)  # its newest version is unreadable: judge none
            yield Row(stream, item, location, problem=(exc.field, exc.message))
            continue
        for record in records:
            yield Row(stream, item, location, record=record)
        if entry is None:
            watch.pop(contract_id, None)
        else:
            watch[contract_id] = entry


def _rejudged(stream: str, watch: dict[str, Any], as_of: date) -> Iterator[Row]:
    """Contracts that fall into arrears, or grow serious, only because days went by."""
    for contract_id, entry in sorted(watch.items()):
        record, kept = rejudge(entry, as_of)
        if record is not None:
            location = f"open contract {contract_id}, judged as of {as_of.isoformat()}"
            yield Row(stream, entry["item"], location, record=record)
        if kept is None:
            del watch[contract_id]
        else:
            watch[contract_id] = kept


def _state(cursor: str | None, skip: int, watch: Mapping[str, Any]) -> dict[str, Any]:
    # A copy: the engine may hold a checkpoint's state while the watch goes on changing.
    return {"cursor": cursor, "skip": skip, "open": dict(watch)}


def _position(state: Mapping[str, Any]) -> tuple[str | None, int, dict[str, Any]]:
    cursor, skip, watch = state.get("cursor"), state.get("skip", 0), state.get("open", {})
    if (
        (cursor is not None and not isinstance(cursor, str))
        or not isinstance(skip, int)
        or skip < 0
        or not isinstance(watch, dict)
    ):
        raise ConfigError(
            "the saved state is not the finance connector's "
            '({"cursor": str | null, "skip": int, "open": {...}}); reset the cursor to re-read'
        )
    return cursor, skip, dict(watch)


def validate(config: Config) -> None:
    try:
        url = httpx.URL(config.base_url) if config.base_url else None
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"base_url {config.base_url!r} is not an http(s) URL, e.g. https://host/api/v1"
        )
    if config.token is not None and not _header_safe(config.token):
        # Said without the token: an HTTP library's own error would quote it.
        raise ConfigError("token must be printable ASCII without spaces (a bearer token)")
    for name in ("page_size", "checkpoint_every"):
        if getattr(config, name) < 1:
            raise ConfigError(f"{name} must be at least 1")
    if config.max_retries < 0 or config.backoff_s < 0 or config.max_backoff_s < 0:
        raise ConfigError("max_retries, backoff_s and max_backoff_s must not be negative")
    if config.timeout_s <= 0:
        raise ConfigError("timeout_s must be positive")
    judgement_day(config)


def _header_safe(token: str) -> bool:
    return bool(token) and all("!" <= ch <= "~" for ch in token)


def judgement_day(config: Config) -> date:
    if config.as_of is None:
        return datetime.now(CHINA).date()
    try:
        return date.fromisoformat(config.as_of)
    except ValueError:
        raise ConfigError(f"as_of {config.as_of!r} is not an ISO date such as 2024-06-30") from None


def _client(config: Config) -> httpx.Client:
    headers = {"Accept": "application/json"}
    if config.token:
        headers["Authorization"] = f"Bearer {config.token}"
    return httpx.Client(
        headers=headers, timeout=httpx.Timeout(config.timeout_s), follow_redirects=True
    )


def _json_body(response: httpx.Response, number: int) -> dict[str, Any]:
    url = str(response.request.url)
    try:
        body = response.json()
    except ValueError as exc:  # includes a body that is not even UTF-8
        raise _not_the_api(response, number, url, f"not JSON ({exc})") from None
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise _not_the_api(response, number, url, 'no "items" list')
    if "next_cursor" not in body:
        raise _not_the_api(response, number, url, 'no "next_cursor" (null at the end)')
    next_cursor = body["next_cursor"]
    if next_cursor is not None and (not isinstance(next_cursor, str) or not next_cursor):
        raise _not_the_api(response, number, url, '"next_cursor" is not a non-empty string')
    return body


def _not_the_api(response: httpx.Response, number: int, url: str, reason: str) -> ConfigError:
    return ConfigError(
        f"page {number} from {url} is not the contract API's JSON: {reason}. The run stopped "
        "before this page; it resumes from it once the API answers correctly",
        operator_detail=(
            f"HTTP {response.status_code}, Content-Type "
            f"{response.headers.get('content-type', '?')}, body starts "
            f"{response.text[:200]!r}"
        ),
    )


def _refusal(response: httpx.Response, number: int) -> ConfigError:
    url = str(response.request.url)
    status = response.status_code
    if status in (401, 403):
        fix = "the API refused the credentials: check Config.token and its rights"
    elif status == 404:
        fix = "no contract API there: check Config.base_url (contracts are at …/contracts)"
    else:
        fix = "the API refused the request (a stale cursor? reset the cursor to re-read)"
    return ConfigError(f"page {number} from {url}: HTTP {status} — {fix}")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()
