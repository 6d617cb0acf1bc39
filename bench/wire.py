"""A lean HTTP/1.1 client for the bench's own load generators: JSON POSTs over keep-alive
connections on asyncio streams, nothing else.

The open-loop generator runs on the same two cores as the hub and PostgreSQL. With httpx
it spent ~1.4 ms of CPU per request — half of what the hub spends answering it — and that
stolen CPU showed up in the latency it measured. This client spends a small fraction of
that (bench/README.md), so the figures are about the hub. It speaks only what the hub
answers with: a status line, headers, a Content-Length body."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import orjson

# What a failed exchange counts as (no answer, or a broken one): a 5xx to the caller.
NO_ANSWER = 599


class Wire:
    """Keep-alive connections to one server, opened as needed and reused; at most as many
    as there are requests in flight at once (the caller bounds that)."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._token = token
        self._timeout = timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: dict, token: str | None = None) -> tuple[int, bytes]:
        """The status and body of one JSON POST; NO_ANSWER when the exchange failed."""
        payload = orjson.dumps(body)
        bearer = token or self._token
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
            "Content-Type: application/json\r\n"
            + (f"Authorization: Bearer {bearer}\r\n" if bearer else "")
            + f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        connection = self._idle.pop() if self._idle else None
        try:
            async with asyncio.timeout(self._timeout):
                if connection is None:
                    connection = await asyncio.open_connection(self._host, self._port)
                reader, writer = connection
                writer.write(head + payload)
                status, length, keep = await _read_head(reader)
                answer = await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
            if connection is not None:
                connection[1].close()
            return NO_ANSWER, b""
        if keep:
            self._idle.append(connection)
        else:
            writer.close()
        return status, answer

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Status, Content-Length and whether the connection stays open."""
    status = int((await reader.readline()).split(b" ", 2)[1])
    length, keep = 0, True
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
        elif name == b"transfer-encoding":
            raise ValueError("chunked answers are not expected from the hub")
    return status, length, keep
