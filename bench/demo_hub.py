"""A `hub serve` process on the demo data set (江州市), for the benches that need a whole hub
rather than a data set of their own: migrated, loaded by `hub demo`, served on a free port,
stopped on leaving; `token()` asks it for a fresh access token of the demo client."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.servers import free_port

HUB = [sys.executable, "-c", "from hub.cli import main; main()"]


@dataclass(frozen=True)
class DemoHub:
    url: str
    pid: int
    client_id: str
    client_secret: str

    def token(self) -> str:
        answer = httpx.post(
            f"{self.url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])


@contextlib.contextmanager
def demo_hub(database_url: str | None, env: dict[str, str]) -> Iterator[DemoHub]:
    """`database_url`: None for an SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ,
            "HUB_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{folder}/hub.db",
            "HUB_KEYS_DIR": f"{folder}/keys",
            **env,
        }
        credentials = Path(folder) / "demo.json"
        for command in (["db", "upgrade"], ["demo", "--credentials", str(credentials)]):
            subprocess.run([*HUB, *command], env=environment, check=True, capture_output=True)
        pair = json.loads(credentials.read_text())
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([*HUB, "serve", "--port", str(port)], env=environment,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            _wait_ready(url)
            yield DemoHub(url, server.pid, pair["client_id"], pair["client_secret"])
        finally:
            server.terminate()
            server.wait(timeout=60)


def _wait_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/readyz").status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready in {seconds} s")
