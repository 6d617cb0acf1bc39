"""`hub publish nats` against the NATS server on this machine (JetStream): every change once,
in feed order, masked unless --pii; a second run publishes only what is new, and a repeated
Nats-Msg-Id is dropped by JetStream. Skipped only where no NATS server listens here, failed
instead under HUB_REQUIRE_NATS=1 (set in .ci/run)."""

from __future__ import annotations

import os
import socket
import uuid

import orjson
import pytest
from factories import body, person, record, submit
from nats.aio.client import Client as Nats
from support import run_cli

NATS_URL = "nats://127.0.0.1:4222"


def _nats_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
async def stream():
    if not _nats_listening():
        if os.environ.get("HUB_REQUIRE_NATS") == "1":
            pytest.fail("NATS required (HUB_REQUIRE_NATS=1) but nothing listens on 4222")
        pytest.skip("no NATS server on 127.0.0.1:4222")
    name = f"TEST{uuid.uuid4().hex[:8].upper()}"
    yield name, f"test.{name.lower()}"
    nats = Nats()
    await nats.connect(NATS_URL)
    try:
        await nats.jetstream().delete_stream(name)
    finally:
        await nats.close()


async def _messages(name: str) -> list[tuple[dict, dict]]:
    nats = Nats()
    await nats.connect(NATS_URL)
    try:
        js = nats.jetstream()
        info = await js.stream_info(name)
        out = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await js.get_msg(name, seq)
            out.append((orjson.loads(message.data), dict(message.headers or {})))
        return out
    finally:
        await nats.close()


async def test_the_feed_is_relayed_to_jetstream_once_and_resumes(app, db, env, stream):
    name, prefix = stream
    zhang = person(401, "张三丰")
    await submit(app.http, db, [
        record("江监政处〔2026〕41号", zhang, decided="2026-03-01"),
        record("江监政处〔2026〕42号", body(402), category="PROMISE_BROKEN", kind=None),
    ], agency_seed=41)  # fmt: skip
    await app.runtime.sequencer.drain()
    args = ("publish", "nats", "--url", NATS_URL, "--stream", name, "--subject-prefix", prefix)
    first = await run_cli(env, *args)
    assert first.exit_code == 0, first.output
    assert "published 2 change(s)" in first.output
    messages = await _messages(name)
    assert [m["id"] for m, _ in messages] == ["1", "2"]
    assert [h["Nats-Msg-Id"] for _, h in messages] == ["1", "2"]
    event = messages[0][0]
    assert (event["specversion"], event["type"]) == ("1.0", "cn.gov.credit.record.created")
    assert event["data"]["subject"]["name"] == "张**"  # masked without --pii
    assert zhang["idNumber"] not in str(messages)

    again = await run_cli(env, *args)
    assert "published 0 change(s)" in again.output
    await submit(app.http, db, [record("江监政处〔2026〕43号", zhang, decided="2026-04-01")],
                 agency_seed=41)  # fmt: skip
    await app.runtime.sequencer.drain()
    third = await run_cli(env, *args, "--pii")
    assert "published 1 change(s)" in third.output
    messages = await _messages(name)
    assert [m["id"] for m, _ in messages] == ["1", "2", "3"]
    assert messages[2][0]["data"]["subject"]["idNumber"] == zhang["idNumber"]

    # A relay that lost its place republishes; JetStream keeps one copy of each id.
    nats = Nats()
    await nats.connect(NATS_URL)
    try:
        ack = await nats.jetstream().publish(
            f"{prefix}.created", b"{}", headers={"Nats-Msg-Id": "1"}
        )
        assert ack.duplicate
    finally:
        await nats.close()
    assert len(await _messages(name)) == 3


async def test_an_unreachable_server_is_a_clear_error(env, db):
    refused = await run_cli(env, "publish", "nats", "--url", "nats://127.0.0.1:1")
    assert refused.exit_code == 1
    assert "cannot reach NATS at nats://127.0.0.1:1" in refused.output
