"""Relaying the change feed into a NATS JetStream stream. Each event is published with
`Nats-Msg-Id` = its id (JetStream drops a duplicate within the stream's window) and the feed
cursor after it in the `Hub-Feed-Cursor` header: the stream itself keeps where the relay
stands, so a relay killed at any moment resumes after the last message JetStream took."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from nats.aio.client import Client as Nats
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

from hub.audit.service import Caller
from hub.feed.service import Reader, read_changes
from hub.runtime import Runtime

CURSOR_HEADER = "Hub-Feed-Cursor"
PAGE = 500


@dataclass(frozen=True)
class Target:
    url: str
    stream: str
    subject_prefix: str  # events go to <prefix>.<type suffix>, e.g. credit.records.created


async def publish_feed(
    runtime: Runtime,
    caller: Caller,
    reader: Callable[[], Reader],
    target: Target,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Publishes every change after the stream's last cursor; returns how many."""
    nats = Nats()
    await nats.connect(target.url, connect_timeout=5, max_reconnect_attempts=2)
    try:
        js = nats.jetstream()
        after = await _stored_cursor(js, target)
        published = 0
        while True:
            async with runtime.transaction(caller) as session:
                page = await read_changes(session, reader(), after=after, first=PAGE)
            for edge in page.edges:
                event = edge.event
                subject = f"{target.subject_prefix}.{event.type.rsplit('.', 1)[-1]}"
                headers = {"Nats-Msg-Id": event.id, CURSOR_HEADER: edge.cursor}
                await js.publish(subject, orjson.dumps(event.as_json()), headers=headers)
                published += 1
            if progress and page.edges:
                progress(len(page.edges))
            if not page.has_next_page:
                return published
            after = page.end_cursor
    finally:
        await nats.close()


async def _stored_cursor(js: Any, target: Target) -> str | None:
    """The cursor of the stream's last message; creates the stream on first use."""
    try:
        info = await js.stream_info(target.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(name=target.stream, subjects=[f"{target.subject_prefix}.>"])
        )
        return None
    if not info.state.last_seq:
        return None
    last = await js.get_msg(target.stream, info.state.last_seq)
    return (last.headers or {}).get(CURSOR_HEADER)
