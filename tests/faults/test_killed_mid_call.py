"""A `hub serve` killed with SIGKILL in the middle of a 5,000-row `submitRecords` and of a
10,000-check batch: afterwards the database holds all of the call's rows or none of them, and
the audit chain verifies. On a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import date

import httpx
from factories import SUBMIT, record
from processes import free_port, hub_serve, serving
from sqlalchemy import func, select
from support import get_token, make_client, make_id_number, run_cli

from hub.agencies.models import AgencyFamily
from hub.checks.models import Check
from hub.records.models import CreditRecord, RecordEvent

CHECKS = "query($i: [CheckInput!]!) { checks(inputs: $i) { id } }"


def _rows(batch: int, count: int) -> list[dict]:
    return [
        record(
            f"江监政处〔2026〕{batch}-{i}号",
            {
                "idNumber": make_id_number(birth=date(1970 + i // 900, 1, 1), seq=i % 900 + 1),
                "name": "测试人",
            },
            decided="2026-01-05",
        )
        for i in range(count)
    ]


def _inputs(batch: int, count: int) -> list[dict]:
    return [
        {
            "purpose": "AWARD",
            "reference": f"批次{batch}",
            "subject": {
                "idNumber": make_id_number(birth=date(1960 + i // 900, 2, 2), seq=i % 900 + 1)
            },
        }
        for i in range(count)
    ]


@contextlib.asynccontextmanager
async def _hub(db, keys_dir) -> AsyncIterator[tuple[str, subprocess.Popen[bytes]]]:  # type: ignore[no-untyped-def]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"HUB_DATABASE_URL": db.url, "HUB_KEYS_DIR": str(keys_dir), "HUB_RATE_LIMIT": "off"}
    async with serving(hub_serve(port), env, f"{url}/readyz") as process:
        yield url, process


async def _timed_call(url: str, token: str, query: str, variables: dict) -> float:
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        answer = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text[:500]
    return time.monotonic() - started


async def _killed_during(
    url: str, process, token: str, query: str, variables: dict, after: float
) -> None:  # type: ignore[no-untyped-def]
    """Sends the call and kills the server `after` seconds into it; the call must not have
    been answered (the kill came before the answer)."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        call = asyncio.create_task(
            http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        await asyncio.sleep(after)
        os.kill(process.pid, signal.SIGKILL)
        try:
            await call
        except httpx.TransportError:
            return
    raise AssertionError(f"the call was answered before the kill at {after:.2f} s")


async def _count(db, query) -> int:  # type: ignore[no-untyped-def]
    async with db.sessions() as session:
        return int(await session.scalar(query) or 0)


async def test_a_killed_submit_of_5000_rows_leaves_all_or_none(db, keys_dir, env):
    writer = await make_client(db, "records:write", agency_seed=61, family=AgencyFamily.DISCIPLINE)
    async with _hub(db, keys_dir) as (url, _):
        async with httpx.AsyncClient(base_url=url) as http:
            token = await get_token(http, writer)
        took = await _timed_call(url, token, SUBMIT, {"r": _rows(1, 5000)})
    async with _hub(db, keys_dir) as (url, process):
        await _killed_during(url, process, token, SUBMIT, {"r": _rows(2, 5000)}, took * 0.5)
    second = CreditRecord.source_ref.like("%2026〕2-%")
    kept = await _count(db, select(func.count()).where(second))
    assert kept in (0, 5000), kept
    events = await _count(
        db, select(func.count()).select_from(RecordEvent).join(CreditRecord).where(second)
    )
    assert events == kept
    verified = await run_cli(env, "audit", "verify")
    assert verified.exit_code == 0, verified.output


async def test_a_killed_batch_of_10000_checks_leaves_all_or_none(db, keys_dir, env):
    checker = await make_client(db, "check:award", agency_seed=62)
    async with _hub(db, keys_dir) as (url, _):
        async with httpx.AsyncClient(base_url=url) as http:
            token = await get_token(http, checker)
        took = await _timed_call(url, token, CHECKS, {"i": _inputs(1, 10_000)})
    before = await _count(db, select(func.count()).select_from(Check))
    async with _hub(db, keys_dir) as (url, process):
        await _killed_during(url, process, token, CHECKS, {"i": _inputs(2, 10_000)}, took * 0.5)
    added = await _count(db, select(func.count()).select_from(Check)) - before
    assert added in (0, 10_000), added
    verified = await run_cli(env, "audit", "verify")
    assert verified.exit_code == 0, verified.output
