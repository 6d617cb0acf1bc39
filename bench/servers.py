"""The uvicorn servers under test, each a subprocess in its own process group; and the SQL
parity check, which runs one request through each app in-process and compares the SQL."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bench import ROOT
from bench.loadgen import PLACEHOLDER, Target
from hub.settings import Settings
from hub.web.state import STATE_KEY

HOST = "127.0.0.1"
BACKGROUND = (
    "SELECT audit_pending.id FROM audit_pending LIMIT",
    "audit_head",
    "FROM audit_pending ORDER BY",
    "INSERT INTO audit_events",
    "DELETE FROM audit_pending",
    "feed_head",
    "record_events.position IS NULL",
    "publicity_ended_on IS NULL",
    "FROM credit_records WHERE credit_records.id IN",  # the publicity run's chunk read
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """A uvicorn subprocess in its own process group, with its output in a log file."""

    def __init__(
        self, name: str, app: str, env: dict[str, str], log_dir: Path, workers: int = 1
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        command = [
            sys.executable, "-m", "uvicorn", app,
            "--host", HOST, "--port", str(self.port), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"{self.name} exited with {code}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """os.environ with `env` for the block, as it was afterwards."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


async def sql_parity(
    env: dict[str, str], hub: Target, bare: Target, id_number: str
) -> dict[str, Any]:
    """The statements each server sends for one check in steady state, captured in-process
    with a `before_cursor_execute` listener on its engine: the bare endpoint mirrors the
    hub's SQL by hand, and this says when the hub's SQL has moved on."""
    from hub.app import create_app

    captured: dict[str, list[str]] = {"hub": [], "bare": []}

    def recorder(name: str) -> Any:
        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            text = " ".join(statement.split())
            # Work both servers do in the background, not in the request: sealing the audit
            # chain, numbering feed events, the start-up publicity run.
            if not any(marker in text for marker in BACKGROUND):
                captured[name].append(text)

        return record

    with _environment(env):
        hub_app = create_app(Settings.from_env())
        bare_module = importlib.import_module("bench.bare_app")
    # The hub builds its engine in its lifespan (hub.runtime): run it, as a server does.
    async with hub_app.router.lifespan_context(hub_app) as state:
        await asyncio.sleep(1.0)  # the start-up lifecycle run, done before anything is compared
        web = state[STATE_KEY]
        engines = {"hub": web.runtime.engine, "bare": bare_module.engine}
        for name, engine in engines.items():
            event.listen(engine.sync_engine, "before_cursor_execute", recorder(name))

        async def with_state(scope: Any, receive: Any, send: Any) -> None:
            scope["state"] = {**state, **scope.get("state", {})}
            await hub_app(scope, receive, send)

        try:
            for name, app, target in (("hub", with_state, hub), ("bare", bare_module.app, bare)):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://bench"
                ) as client:
                    path = httpx.URL(target.url).path
                    body = target.template.replace(PLACEHOLDER, id_number).encode()
                    headers = {**target.headers, "Content-Type": "application/json"}
                    # The second request is the one compared: the first fills the hub's
                    # per-process caches (coverage), as every request of a measured run finds.
                    for _ in range(2):
                        captured[name].clear()
                        response = await client.post(path, content=body, headers=headers)
                        response.raise_for_status()
        finally:
            await bare_module.engine.dispose()
    return {"same": captured["hub"] == captured["bare"], **captured}


def print_parity(parity: dict[str, Any]) -> None:
    if parity["same"]:
        print(f"SQL parity: the bare endpoint sends the hub's {len(parity['hub'])} statements")
        return
    print("WARNING: the bare endpoint no longer sends the hub's SQL; the ratio compares")
    print("  different database work. Update bench/bare_app.py (and bench/README.md).")
    diff = difflib.unified_diff(parity["hub"], parity["bare"], "hub", "bare", lineterm="", n=0)
    for line in diff:
        print(f"  {line}")
