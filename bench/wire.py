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
_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class Wire:
    """Keep-alive connections to one server, opened as needed and reused; at most as many
    as there are requests in flight at once (the caller bounds that)."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._token = token
        self._timeout = timeout
        self._idle: list[_Connection] = []

    async def post(self, path: str, body: dict) -> tuple[int, bytes]:
        """The status and body of one JSON POST; NO_ANSWER when the exchange failed."""
        payload = orjson.dumps(body)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
            "Content-Type: application/json\r\n"
            + (f"Authorization: Bearer {self._token}\r\n" if self._token else "")
            + f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        reused = self._take_idle()
        if reused is not None:
            answered = await self._exchange(reused, head + payload)
            if answered is not None:
                return answered
        # A new connection; or the server had closed the idle one just as it was reused
        # (uvicorn closes keep-alive connections idle for 5 s), before reading the request.
        try:
            async with asyncio.timeout(self._timeout):
                fresh = await asyncio.open_connection(self._host, self._port)
        except (OSError, TimeoutError):
            return NO_ANSWER, b""
        return await self._exchange(fresh, head + payload) or (NO_ANSWER, b"")

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection[0].at_eof():
                return connection
            connection[1].close()
        return None

    async def _exchange(self, connection: _Connection, request: bytes) -> tuple[int, bytes] | None:
        """The answer; None when the connection was closed before any answer began."""
        reader, writer = connection
        try:
            async with asyncio.timeout(self._timeout):
                writer.write(request)
                status_line = await reader.readline()
                if not status_line:
                    writer.close()
                    return None
                status, length, keep = await _read_head(status_line, reader)
                answer = await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError, TimeoutError):
            writer.close()
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


async def _read_head(status_line: bytes, reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Status, Content-Length and whether the connection stays open."""
    status = int(status_line.split(b" ", 2)[1])
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
