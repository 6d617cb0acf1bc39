"""The finance connector against a real HTTP server on 127.0.0.1, started by each test: cursor
paging, checkpoints and resumption, retries, refusals, and pages that are not the API's."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.base import Checkpoint, ConfigError, Row, TransientError
from connectors.finance import Config, FinanceConnector
from connectors.finance.connector import STREAM

PURCHASER = "11320100MB0000001M"
AS_OF = "2024-12-31"
TOKEN = "s3cret-token"

# (status, headers, body) to send instead of the feed, or None to serve the feed.
Reply = tuple[int, dict[str, str], bytes]
Behaviour = Callable[[int, str, dict[str, str], Any], Reply | None]


def contract(number: int, **changes: Any) -> dict[str, Any]:
    """Every third paid late, every third unpaid, every fifth with a recorded breach."""
    delivered = date(2024, 1, 1) + timedelta(days=number)
    paid = {0: delivered + timedelta(days=45), 1: delivered + timedelta(days=10), 2: None}
    value: dict[str, Any] = {
        "contract_id": f"HT-{number:04d}",
        "purchaser_uscc": PURCHASER,
        "purchaser_name": "某市教育局",
        "supplier_name": f"供应商{number}",
        "supplier_uscc": None,
        "supplier_is_sme": True,
        "amount": f"{10000 + number}.00",
        "signed_on": "2023-12-01",
        "delivered_on": delivered.isoformat(),
        "acceptance_required": False,
        "acceptance_period_days": None,
        "accepted_on": None,
        "payment_term_days": 30,
        "paid_on": paid[number % 3].isoformat() if paid[number % 3] else None,
        "breach": None,
    }
    if number % 5 == 0:
        value["breach"] = {"recorded_on": "2024-10-01", "kind": "拒绝验收", "decision_ref": None}
    value.update(changes)
    return value


def expected_refs(contracts: list[dict[str, Any]]) -> list[str]:
    """What `contract` numbers give as of AS_OF: arrears unless paid on time, and breaches."""
    refs = []
    for value in contracts:
        number = int(value["contract_id"].removeprefix("HT-"))
        if number % 3 != 1:
            refs.append(f"ARREARS-{value['contract_id']}")
        if number % 5 == 0:
            refs.append(f"BREACH-{value['contract_id']}")
    return refs


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"after:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1])


class ContractServer(ThreadingHTTPServer):
    """A cursor-paged contract feed. Items may be appended while it runs; the cursor names a
    position, so re-reading a cursor gives the same items first."""

    def __init__(self, contracts: list[Any], behaviour: Behaviour | None, token: str | None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.contracts = contracts
        self.behaviour = behaviour
        self.token = token
        self.requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.garbage = False  # switched by tests of pages that are not the API's

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/v1"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout tests) is expected

    def feed(self, path: str, query: dict[str, str]) -> Reply:
        if path != "/api/v1/contracts":
            return 404, {"Content-Type": "text/plain"}, b"not found"
        offset = decode_cursor(query["cursor"]) if "cursor" in query else 0
        end = offset + int(query.get("limit", "200"))
        items = self.contracts[offset:end]
        after = offset + len(items)
        next_cursor = encode_cursor(after) if after < len(self.contracts) else None
        body = {"items": items, "next_cursor": next_cursor}
        return 200, {"Content-Type": "application/json"}, _json(body)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
    server: ContractServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        with self.server.lock:
            self.server.requests.append(query)
            number = len(self.server.requests)
        reply = None
        if self.server.behaviour is not None:
            reply = self.server.behaviour(number, url.path, query, self.server)
        authorization = self.headers.get("Authorization")
        if reply is None and self.server.token and authorization != f"Bearer {self.server.token}":
            reply = 401, {"Content-Type": "application/json"}, b'{"error": "unauthorized"}'
        if reply is None:
            reply = self.server.feed(url.path, query)
        status, headers, body = reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[..., ContractServer]]:
    started: list[tuple[ContractServer, threading.Thread]] = []

    def start(
        contracts: list[Any], behaviour: Behaviour | None = None, token: str | None = None
    ) -> ContractServer:
        server = ContractServer(contracts, behaviour, token)
        thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def config(server: ContractServer, **changes: Any) -> Config:
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "page_size": 5,
        "timeout_s": 2.0,
        "max_retries": 3,
        "backoff_s": 0.001,
        "max_backoff_s": 0.05,
        "as_of": AS_OF,
    }
    values.update(changes)
    return Config(**values)


def read(cfg: Config, state: dict[str, Any] | None = None) -> list[Row | Checkpoint]:
    return list(FinanceConnector().read(cfg, STREAM, state or {}))


def rows(out: list[Row | Checkpoint]) -> list[Row]:
    return [item for item in out if isinstance(item, Row)]


def refs(out: list[Row | Checkpoint]) -> list[str]:
    return [row.record["source_ref"] for row in rows(out) if row.record is not None]


def checkpoints(out: list[Row | Checkpoint]) -> list[Checkpoint]:
    return [item for item in out if isinstance(item, Checkpoint)]


CONTRACTS = [contract(n) for n in range(23)]


# --- paging and resumption ------------------------------------------------------------------


def test_reads_every_page_once_with_a_checkpoint_after_each(serve: Any) -> None:
    server = serve(CONTRACTS)
    out = read(config(server))
    assert refs(out) == expected_refs(CONTRACTS)
    assert len(checkpoints(out)) == 5  # 23 items, 5 a page
    assert [q["limit"] for q in server.requests] == ["5"] * 5
    assert isinstance(out[-1], Checkpoint)
    assert out[-1].state["skip"] == 3  # the last page had 3 items
    assert checkpoints(out)[0].notes == {"as_of": AS_OF, "api": server.base_url}


def test_each_checkpoint_names_the_cursor_of_the_next_page(serve: Any) -> None:
    server = serve(CONTRACTS)
    states = [cp.state for cp in checkpoints(read(config(server)))]
    assert [s["cursor"] for s in states[:4]] == [encode_cursor(5 * k) for k in range(1, 5)]
    assert all(s["skip"] == 0 for s in states[:4])


def test_a_contract_with_two_records_gives_two_rows_from_the_same_item(serve: Any) -> None:
    server = serve(CONTRACTS)
    first = [row for row in rows(read(config(server))) if row.raw["contract_id"] == "HT-0000"]
    assert [row.record["category"] for row in first if row.record] == [
        "PAYMENT_ARREARS",
        "PROCUREMENT_BREACH",
    ]
    assert {row.location for row in first} == {"page 1, item 1"}
    assert first[0].raw is first[1].raw


@pytest.mark.parametrize("page_size", [2, 7, 23, 50])
def test_resuming_from_any_checkpoint_gives_exactly_the_rest(serve: Any, page_size: int) -> None:
    server = serve(CONTRACTS)
    cfg = config(server, page_size=page_size)
    everything = read(cfg)
    for position, item in enumerate(everything):
        if isinstance(item, Checkpoint):
            before = refs(everything[: position + 1])
            after = refs(read(cfg, dict(item.state)))
            assert before + after == refs(everything)


def test_a_finished_feed_reads_only_what_was_appended_since(serve: Any) -> None:
    contracts = list(CONTRACTS)
    server = serve(contracts)
    cfg = config(server)
    final = dict(checkpoints(read(cfg))[-1].state)

    again = read(cfg, final)
    assert rows(again) == [] and checkpoints(again)[-1].state == final

    contracts.extend(contract(n) for n in range(23, 31))  # two fill the last page, six follow
    assert refs(read(cfg, final)) == expected_refs(contracts[23:])


def test_checkpoint_every_bounds_the_page_size(serve: Any) -> None:
    server = serve(CONTRACTS)
    out = read(config(server, page_size=200, checkpoint_every=4))
    assert {q["limit"] for q in server.requests} == {"4"}
    assert len(checkpoints(out)) == 6


def test_an_empty_feed_still_ends_with_a_checkpoint(serve: Any) -> None:
    out = read(config(serve([])))
    assert out == [Checkpoint("contracts", {"cursor": None, "skip": 0, "open": {}}, out[0].notes)]


# --- contracts that fall into arrears by time alone -------------------------------------------


def test_an_unpaid_contract_is_judged_again_as_days_go_by(serve: Any) -> None:
    unpaid = contract(2, delivered_on="2024-12-01")  # due 2024-12-31
    server = serve([unpaid])
    first = read(config(server, as_of="2024-12-20"))
    assert rows(first) == []
    state = dict(checkpoints(first)[-1].state)
    assert list(state["open"]) == ["HT-0002"]

    late = read(config(server, as_of="2025-01-05"), state)
    assert [r.location for r in rows(late)] == ["open contract HT-0002, judged as of 2025-01-05"]
    assert rows(late)[0].record["severity"] == "GENERAL"  # type: ignore[index]

    state = dict(checkpoints(late)[-1].state)
    serious = read(config(server, as_of="2025-04-01"), state)
    assert [r.record["severity"] for r in rows(serious) if r.record] == ["SERIOUS"]
    assert checkpoints(serious)[-1].state["open"] == {}


def test_a_watched_contract_sent_again_paid_leaves_the_watch(serve: Any) -> None:
    contracts = [contract(2, delivered_on="2024-12-01")]
    server = serve(contracts)
    state = dict(checkpoints(read(config(server, as_of="2024-12-20")))[-1].state)
    contracts.append(contract(2, delivered_on="2024-12-01", paid_on="2024-12-28"))
    out = read(config(server, as_of="2025-03-01"), state)
    assert rows(out) == [] and checkpoints(out)[-1].state["open"] == {}


# --- bad items --------------------------------------------------------------------------------


def test_a_malformed_item_becomes_a_row_with_a_problem_and_reading_goes_on(serve: Any) -> None:
    contracts = [contract(0), contract(1, delivered_on="2024-02-30"), "oops", contract(2)]
    contracts.append({"purchaser_uscc": PURCHASER})
    out = read(config(serve(contracts), page_size=2))
    problems = [(r.location, r.problem) for r in rows(out) if r.problem]
    assert problems[0][0] == "page 1, item 2" and problems[0][1][0] == "delivered_on"  # type: ignore[index]
    assert problems[1] == ("page 2, item 1", ("item", "not a JSON object"))
    assert problems[2][1][0] == "contract_id"  # type: ignore[index]
    assert refs(out) == ["ARREARS-HT-0000", "BREACH-HT-0000", "ARREARS-HT-0002"]
    assert checkpoints(out)[-1].state["skip"] == 1


# --- transient failures -----------------------------------------------------------------------


def _unavailable(times: int, status: int = 503, headers: dict[str, str] | None = None) -> Behaviour:
    def behaviour(number: int, path: str, query: dict[str, str], server: Any) -> Reply | None:
        if number <= times:
            return status, headers or {"Content-Type": "text/plain"}, b"busy"
        return None

    return behaviour


def test_a_server_that_fails_twice_then_answers_is_read_in_full(serve: Any) -> None:
    server = serve(CONTRACTS, _unavailable(2))
    assert refs(read(config(server))) == expected_refs(CONTRACTS)
    assert len(server.requests) == 5 + 2


def test_a_long_retry_after_is_honoured_only_up_to_the_cap(serve: Any) -> None:
    server = serve(CONTRACTS, _unavailable(1, 429, {"Retry-After": "3600"}))
    started = time.monotonic()
    assert refs(read(config(server))) == expected_refs(CONTRACTS)
    assert time.monotonic() - started < 2


def test_a_server_that_keeps_failing_raises_a_transient_error(serve: Any) -> None:
    server = serve(CONTRACTS, _unavailable(1000, 502))
    with pytest.raises(TransientError, match=r"page 1 .* failed 4 times .*HTTP 502"):
        read(config(server, max_retries=3))
    assert len(server.requests) == 4


def test_a_failure_mid_feed_keeps_the_pages_read_before_it(serve: Any) -> None:
    def third_page_down(number: int, path: str, query: dict[str, str], server: Any) -> Reply | None:
        if query.get("cursor") == encode_cursor(10):
            return 500, {}, b""
        return None

    server = serve(CONTRACTS, third_page_down)
    seen: list[Row | Checkpoint] = []
    with pytest.raises(TransientError):
        seen.extend(FinanceConnector().read(config(server), STREAM, {}))
    assert checkpoints(seen)[-1].state["cursor"] == encode_cursor(10)


def test_a_closed_port_is_a_transient_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = Config(base_url=f"http://127.0.0.1:{port}", max_retries=1, backoff_s=0.001, timeout_s=1)
    with pytest.raises(TransientError, match="ConnectError"):
        FinanceConnector().check(cfg)


def test_a_slow_answer_times_out_and_is_retried(serve: Any) -> None:
    def slow_first(number: int, path: str, query: dict[str, str], server: Any) -> Reply | None:
        if number == 1:
            time.sleep(0.6)
        return None

    server = serve(CONTRACTS, slow_first)
    assert refs(read(config(server, timeout_s=0.2))) == expected_refs(CONTRACTS)


# --- refusals and pages that are not the API's -----------------------------------------------


def test_the_token_is_sent_as_a_bearer_token(serve: Any) -> None:
    server = serve(CONTRACTS, token=TOKEN)
    assert refs(read(config(server, token=TOKEN))) == expected_refs(CONTRACTS)


def test_a_refused_token_is_a_config_error_that_does_not_show_it(serve: Any) -> None:
    server = serve(CONTRACTS, token=TOKEN)
    with pytest.raises(ConfigError, match=r"HTTP 401 .*Config.token") as raised:
        FinanceConnector().check(config(server, token="wrong-token"))
    assert "wrong-token" not in str(raised.value)
    assert len(server.requests) == 1  # never retried
    assert "wrong-token" not in repr(config(server, token="wrong-token"))


def test_a_wrong_base_url_is_a_config_error(serve: Any) -> None:
    server = serve(CONTRACTS)
    with pytest.raises(ConfigError, match=r"HTTP 404 .*base_url"):
        read(config(server, base_url=server.base_url + "/nowhere"))


def _garbage_on_third_page(body: bytes, content_type: str) -> Behaviour:
    def behaviour(number: int, path: str, query: dict[str, str], server: Any) -> Reply | None:
        if query.get("cursor") == encode_cursor(10) and server.garbage:
            return 200, {"Content-Type": content_type}, body
        return None

    return behaviour


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (
            b"<html><body>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xbb\xb4\xe6\x8a\xa4</body></html>",
            "text/html",
            "not JSON",
        ),
        (b'{"items": [{"contract_id": "HT-0010", "purch', "application/json", "not JSON"),
        (b'{"data": []}', "application/json", '"items"'),
        (b'{"items": []}', "application/json", '"next_cursor"'),
        (b'{"items": [], "next_cursor": 7}', "application/json", '"next_cursor"'),
        (b"\xff\xfe\x00garbage", "application/octet-stream", "not JSON"),
    ],
)
def test_a_page_that_is_not_the_apis_json_stops_the_run_before_it(
    serve: Any, body: bytes, content_type: str, reason: str
) -> None:
    server = serve(CONTRACTS, _garbage_on_third_page(body, content_type))
    server.garbage = True
    seen: list[Row | Checkpoint] = []
    with pytest.raises(
        ConfigError, match=r"page 3 from .* is not the contract API's JSON"
    ) as raised:
        seen.extend(FinanceConnector().read(config(server), STREAM, {}))
    assert reason in raised.value.message
    assert raised.value.operator_detail and content_type in raised.value.operator_detail
    last = dict(checkpoints(seen)[-1].state)
    assert last["cursor"] == encode_cursor(10)  # the state before the bad page
    assert refs(seen) == expected_refs(CONTRACTS[:10])

    server.garbage = False  # the API is repaired: the next run picks up exactly there
    assert refs(seen) + refs(read(config(server), last)) == expected_refs(CONTRACTS)


def test_a_page_that_names_itself_as_next_is_refused(serve: Any) -> None:
    def loop(number: int, path: str, query: dict[str, str], server: Any) -> Reply | None:
        if "cursor" in query:
            return 200, {}, _json({"items": [], "next_cursor": query["cursor"]})
        return None

    server = serve(CONTRACTS, loop)
    with pytest.raises(ConfigError, match="names itself"):
        read(config(server))


# --- configuration and state ------------------------------------------------------------------


def test_check_reads_one_item(serve: Any) -> None:
    server = serve(CONTRACTS)
    FinanceConnector().check(config(server))
    assert server.requests == [{"limit": "1"}]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base_url": "ftp://127.0.0.1/api"}, "base_url"),
        ({"base_url": ""}, "base_url"),
        ({"as_of": "31/12/2024"}, "as_of"),
        ({"page_size": 0}, "page_size"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"base_url": "http://[::1"}, "base_url"),
        ({"token": "s3cret\nX-Injected: 1"}, "token must be"),
    ],
)
def test_a_bad_config_fails_before_any_request(
    serve: Any, changes: dict[str, Any], message: str
) -> None:
    server = serve(CONTRACTS)
    with pytest.raises(ConfigError, match=message) as raised:
        FinanceConnector().check(config(server, **changes))
    assert server.requests == []
    assert "s3cret" not in str(raised.value)


def test_a_state_that_is_not_this_connectors_is_refused(serve: Any) -> None:
    server = serve(CONTRACTS)
    with pytest.raises(ConfigError, match="saved state"):
        read(config(server), {"file": "abc", "offset": 12, "cursor": 5})


def test_the_spec_and_streams(serve: Any) -> None:
    connector = FinanceConnector()
    assert connector.name == "finance"
    assert connector.spec() is Config
    assert [s.name for s in connector.discover(config(serve([])))] == ["contracts"]
