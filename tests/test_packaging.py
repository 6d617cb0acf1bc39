"""`pip install .` without the dev extras gives a hub that starts: the wheel is built,
installed into a fresh virtual environment (its dependencies from the package index, as an
operator would), and `hub serve` answers /readyz and serves the console's files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import httpx
from processes import free_port, serving

ROOT = Path(__file__).parents[1]
LEFT_OUT = (".git", ".venv", "tests", "bench", "build", "*.egg-info", "node_modules", "*.db")


def _run(*command: object, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (
        f"{command[:3]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    )


async def test_the_wheel_without_extras_installs_and_serves(tmp_path):
    wheels, env_dir, source = tmp_path / "wheels", tmp_path / "venv", tmp_path / "source"
    # Built from a copy: a build writes build/ and *.egg-info beside the sources.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_OUT))
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, source)
    [wheel] = list(wheels.glob("*.whl"))
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheel)
    hub = env_dir / "bin" / "hub"
    work = tmp_path / "work"
    work.mkdir()
    env = {
        "PATH": f"{env_dir / 'bin'}:{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'hub.db'}",
        "HUB_KEYS_DIR": str(work / "keys"),
    }
    _run(hub, "db", "upgrade", cwd=work, env=env)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(hub), "serve", "--port", str(port)]
    async with (
        serving(command, env, f"{url}/readyz", cwd=work),
        httpx.AsyncClient(base_url=url) as http,
    ):
        assert (await http.get("/readyz")).status_code == 200
        assert (await http.get("/login")).status_code == 200
        assert (await http.get("/static/console.css")).status_code == 200
        answer = await http.post(
            "/graphql", json={"query": '{ verifyReport(token: "x") { valid } }'}
        )
        assert answer.json()["data"]["verifyReport"]["valid"] is False
