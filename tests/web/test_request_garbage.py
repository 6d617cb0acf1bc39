"""A check leaves no reference cycles behind: everything it built is freed by reference
counting when it is answered. Cycles (graphql-core's execution context holding its own bound
methods, a loader holding a bound method of the loaders) kept each request alive until the
cyclic collector ran, and those collections paused the serving process 3–15 ms at a time —
the open-loop p99 of issue 14."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from factories import CHECK, submit, token_for
from support import gql, make_id_number

# The modules whose objects a request builds on the server side; the test's own httpx client
# and asyncio's machinery are not the hub's to keep tidy.
SERVER_SIDE = ("hub.", "schema.", "graphql.", "strawberry.", "sqlalchemy.", "starlette.")
# SQLAlchemy's own statement objects: a bound parameter built for a statement made per
# request (`column.in_(ids)`) is a small cycle of SQLAlchemy's making, a few objects.
STATEMENT_PARTS = "sqlalchemy.sql."


@contextmanager
def cyclic_garbage() -> Iterator[list[str]]:
    """The type names of what became cyclic garbage inside the block."""
    found: list[str] = []
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found += [
            f"{type(o).__module__}.{type(o).__qualname__}"
            for o in gc.garbage
            if type(o).__module__.startswith(SERVER_SIDE)
            and not type(o).__module__.startswith(STATEMENT_PARTS)
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize("env", ["development", "production"])
async def test_a_check_leaves_no_cycles_for_the_collector(serve, db, env):
    async with serve(env=env) as hub:
        person = make_id_number(seq=41)
        await submit(
            hub.http,
            db,
            [
                {
                    "sourceRef": "江纪政处〔2024〕41号",
                    "category": "GOVERNMENT_SANCTION",
                    "sanctionKind": "EXPULSION",
                    "severity": "SERIOUS",
                    "subject": {"idNumber": person, "name": "张三"},
                    "decidedAt": "2024-09-18",
                    "summary": "严重违反廉洁纪律",
                }
            ],
        )
        token = await token_for(hub.http, db, "check:hiring", agency_seed=8)
        variables = {
            "i": {"purpose": "HIRING", "subject": {"idNumber": person}, "reference": "公告第1号"}
        }
        await gql(hub.http, token, CHECK, variables)  # first use: caches fill, not garbage

        with cyclic_garbage() as garbage:
            for _ in range(5):
                answered = await gql(hub.http, token, CHECK, variables)
                assert answered.json()["data"]["check"]["verdict"] == "RESTRICTED"

        assert not garbage, sorted(set(garbage))
