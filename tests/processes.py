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
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx

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
