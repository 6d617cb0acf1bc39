"""Servers run as their own processes (a hub, a second subgraph, a gateway) on free ports of
127.0.0.1, stopped on leaving."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from hub.ingest.models import IngestRun

HUB = [sys.executable, "-c", "from hub.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(
    command: Sequence[str],
    env: dict[str, str],
    ready_url: str,
    *,
    cwd: Path | None = None,
    timeout: float = 60,
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """Starts `command`, waits until `ready_url` answers below 500, stops it on leaving."""
    process = subprocess.Popen(
        list(command), env={**os.environ, **env}, cwd=cwd,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        await _wait_ready(ready_url, process, timeout)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.communicate, timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        else:  # it ended by itself (or a test killed it): close its pipe
            process.communicate()


async def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient() as http:
        while loop.time() < deadline:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"{url} exited at start: {stderr[-3000:]}")
            try:
                if (await http.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not become ready in {timeout} s")


def hub_serve(port: int) -> list[str]:
    return [*HUB, "serve", "--port", str(port)]


async def rows_committed(db: Any) -> int:
    # Each committed chunk is counted by exactly one run: the sum is how far the file is in.
    async with db.sessions() as session:
        return int(await session.scalar(select(func.coalesce(func.sum(IngestRun.rows_read), 0))))


async def kill_when(
    db: Any, process: subprocess.Popen[bytes], rows: int, deadline: float = 60
) -> None:
    started = time.monotonic()
    while await rows_committed(db) < rows:
        if process.poll() is not None:
            raise AssertionError(
                f"the sync ended before {rows} rows: {process.stderr.read().decode()[-500:]}"
            )
        if time.monotonic() - started > deadline:
            process.kill()
            raise AssertionError("the sync did not progress in time")
        await asyncio.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
