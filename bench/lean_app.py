"""The lean endpoint (issue 14): what a careful engineer would write by hand for one HIRING
check — the hub's real work and nothing else.

`POST /check` with `{"idNumber": "...", "reference": "..."}` and the hub's bearer token:
the token verified (the hub's own verifier, ES256, cached per token), the same keyed hash of
the ID number, then exactly two round trips on an asyncpg pool with prepared statements:

1. one SELECT: the client's agency, the person and the records the client may see;
2. one INSERT … WITH: the check row and its audit entry, then COMMIT (durable: the answer
   leaves after the commit).

The verdict comes from the hub's own rule engine (hub.checks.rules.evaluate, pure) over the
same facts; the stored row carries the same kind of result document. No ORM, no GraphQL.

Run like the hub: `uvicorn bench.lean_app:app`, with HUB_DATABASE_URL, HUB_KEYS_DIR and
HUB_ISSUER."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub import clock
from hub.auth.tokens import TokenIssuer
from hub.checks.purposes import Purpose
from hub.checks.rules import RecordFacts, evaluate
from hub.checks.ruleset import current_ruleset
from hub.keys import load_keys
from hub.records.enums import (
    ObjectionKind,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)
from hub.settings import Settings
from hub.subjects.pii import PiiCipher

settings = Settings.from_env()
keys = load_keys(settings)
pii = PiiCipher(keys.pii)
tokens = TokenIssuer(keys, settings.issuer, settings.token_lifetime_seconds)
ruleset = current_ruleset()
DSN = settings.database_url.replace("postgresql+asyncpg://", "postgresql://")

# The client's agency joined with the person and the records it may see (REVOKED records of
# other agencies are not shared: the row rule of hub.access).
READ = """
SELECT c.agency_id, a.region_code, p.id AS person_id,
       r.id, r.category, r.sanction_kind, r.status, r.decided_at, r.effective_until,
       r.severity, r.detail ->> 'actRef' AS act_ref, r.objection_kind, r.objection_due,
       r.repaired_on, r.source_ref
FROM clients c
JOIN agencies a ON a.id = c.agency_id
LEFT JOIN persons p ON p.id_hash = $2
LEFT JOIN credit_records r ON r.person_id = p.id
     AND (r.source_agency_id = c.agency_id OR r.status <> 'REVOKED')
WHERE c.id = $1 AND c.revoked_at IS NULL
"""
WRITE = """
WITH stored AS (
  INSERT INTO checks (id, client_id, agency_id, purpose, reference, subject_type, subject_key,
                      as_of, verdict, ruleset_version, result, checked_at)
  VALUES ($1, $2, $3, 'HIRING', $4, 'PERSON', $5, $6, $7, $8, $9::json, $10)
  RETURNING id
)
INSERT INTO audit_pending (at, request_id, client_id, agency_id, operation, subject_type,
                           subject_key, purpose, reference, result)
SELECT $10, 'lean', $2, $3, 'check', 'PERSON', $5, 'HIRING', $4, $7 FROM stored
"""


def _facts(row: Any) -> RecordFacts:
    return RecordFacts(
        id=row["id"],
        subject_type=SubjectType.PERSON,
        category=RecordCategory(row["category"]),
        sanction_kind=SanctionKind(row["sanction_kind"]) if row["sanction_kind"] else None,
        status=RecordStatus(row["status"]),
        decided_at=row["decided_at"],
        effective_until=row["effective_until"],
        severity=Severity(row["severity"]) if row["severity"] else None,
        act_ref=row["act_ref"],
        objection=ObjectionKind(row["objection_kind"]) if row["objection_kind"] else None,
        objection_due=row["objection_due"],
        repaired_on=row["repaired_on"],
    )


async def check(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    claims = tokens.verify(header.removeprefix("Bearer ").strip())
    payload = orjson.loads(await request.body())
    subject_key = pii.lookup_hash(payload["idNumber"])
    today: date = clock.today()
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as connection, connection.transaction():
        rows = await connection.fetch(READ, claims.client_id, subject_key)
        if not rows:
            return JSONResponse({"error": "unknown client"}, 401)
        facts = [_facts(row) for row in rows if row["id"] is not None]
        agency = rows[0]
        evaluation = evaluate(ruleset, facts, Purpose.HIRING, today,
                              checker_region=agency["region_code"])  # fmt: skip
        by_id = {row["id"]: row for row in rows if row["id"] is not None}
        findings = [
            {
                "rule": f.rule.id,
                "record": f.record.id,
                "sourceRef": by_id[f.record.id]["source_ref"],
                "restrictsUntil": f.restricts_until.isoformat() if f.restricts_until else None,
            }
            for f in evaluation.findings
        ]
        result = {
            "verdict": evaluation.verdict.value,
            "rulesetVersion": evaluation.ruleset_version,
            "subjectKnown": agency["person_id"] is not None,
            "findings": findings,
        }
        await connection.execute(
            WRITE, str(uuid.uuid4()), claims.client_id, agency["agency_id"], payload["reference"],
            subject_key, today, evaluation.verdict.value, "lean", json.dumps(result),
            datetime.now(UTC),
        )  # fmt: skip
    return Response(
        orjson.dumps({"verdict": evaluation.verdict.value}), media_type="application/json"
    )


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Statements are prepared per connection and kept (asyncpg's statement cache).
    # As many connections as the hub's engine keeps (pool_size 20).
    app.state.pool = await asyncpg.create_pool(DSN, min_size=4, max_size=20)
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[Route("/check", check, methods=["POST"]), Route("/healthz", healthz)],
    lifespan=lifespan,
)
