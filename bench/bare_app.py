"""The baseline: a bare Starlette endpoint issuing the SQL of one hub HIRING check.

`POST /check` with `{"idNumber": "...", "reference": "..."}`. No token, no GraphQL, no ORM
objects, no rule evaluation: it parses the JSON body, computes the same keyed hash, and runs
on the same engine settings (`hub.db.engine.create_engine`) the statements the hub runs:

    BEGIN (implicit)
    SELECT clients.agency_id, clients.scopes, clients.revoked_at, clients.jurisdiction,
        agencies.region_code FROM clients JOIN agencies ON agencies.id = clients.agency_id
        WHERE clients.id = $1
    SELECT persons.<all columns>, credit_records.<the RecordFields columns>
        FROM persons LEFT OUTER JOIN credit_records ON credit_records.person_id = persons.id
          AND (credit_records.source_agency_id = $1 OR credit_records.status NOT IN ($2))
        WHERE persons.id_hash IN ($3)
        ORDER BY persons.id, credit_records.decided_at DESC, credit_records.id

The hub's per-family coverage query is cached in the hub process for a few seconds, so it
is not part of a request's statements (see hub.agencies.feeds.CoverageCache).
    INSERT INTO checks (id, client_id, agency_id, checked_by, purpose, reference, subject_type,
        subject_key, as_of, verdict, ruleset_version, result, checked_at) VALUES (...)
    INSERT INTO audit_pending (...) VALUES (...)   -- the check's access, recorded
    COMMIT

Both servers run the hub's own background sealer (hub.audit.sealing.Sealer), which moves
recorded accesses into the hash chain in batches: the ratio measures the GraphQL and ORM
overhead only.

The statements are built from the hub's own tables (`Client`, `Person`, `CreditRecord`,
`Check`), so they render to the same SQL text with the same parameter types.

Run like the hub: `uvicorn bench.bare_app:app`, with HUB_DATABASE_URL, HUB_KEYS_DIR and
BENCH_CLIENT_ID (the client whose row is looked up and written into the check row).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import orjson
from sqlalchemy import and_, insert, or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.access.rules import WITHDRAWN
from hub.audit.chain import chain_key
from hub.audit.models import PendingAccess
from hub.audit.sealing import Sealer
from hub.checks.purposes import Purpose, Verdict
from hub.db.base import utcnow
from hub.db.engine import create_engine
from hub.db.models import Agency, Check, Client, CreditRecord, Person
from hub.keys import load_keys
from hub.records.enums import SubjectType
from hub.records.models import RECORD_FIELDS
from hub.settings import Settings
from hub.subjects.pii import PiiCipher

settings = Settings.from_env()
engine = create_engine(settings.database_url)
keys = load_keys(settings)
pii = PiiCipher(keys.pii)

CLIENT_ID = os.environ["BENCH_CLIENT_ID"]

# From hub.db.models, i.e. with the hub's full metadata: foreign-key columns resolve their
# types, so the INSERT renders the same parameter casts as the hub's.
CLIENT = select(
    Client.agency_id, Client.scopes, Client.revoked_at, Client.jurisdiction, Agency.region_code
).join(Agency, Agency.id == Client.agency_id)
PERSON_WITH_RECORDS = select(Person.__table__, *RECORD_FIELDS)
# Where the record's id sits in a row (after the person's columns): None on the outer
# join's empty side, a person without records.
RECORD_ID = len(Person.__table__.columns)
INSERT_CHECK = insert(Check.__table__)
RECORD_ACCESS = insert(PendingAccess.__table__)
sealer = Sealer(async_sessionmaker(engine), chain_key(keys.pii.hmac_key))


def visible_to(agency_id: int) -> Any:
    # The row rule hub.access.enforcement adds to every records query of a non-admin caller.
    return or_(
        CreditRecord.source_agency_id == agency_id,
        CreditRecord.status.not_in(WITHDRAWN),
    )


def _access(agency_id: int, subject_key: str, payload: Any, verdict: Verdict) -> dict[str, Any]:
    """The audit row the hub writes for one check of a person."""
    return {
        "at": utcnow(),
        "request_id": "bare",
        "client_id": CLIENT_ID,
        "agency_id": agency_id,
        "operation": "check",
        "subject_type": "PERSON",
        "subject_key": subject_key,
        "purpose": "HIRING",
        "reference": payload["reference"],
        "result": verdict.value,
    }


async def check(request: Request) -> Response:
    payload = orjson.loads(await request.body())
    subject_key = pii.lookup_hash(payload["idNumber"])
    async with engine.begin() as connection:
        client = (await connection.execute(CLIENT.where(Client.id == CLIENT_ID))).one()
        rows = (
            await connection.execute(
                PERSON_WITH_RECORDS.select_from(Person)
                .outerjoin(
                    CreditRecord,
                    and_(CreditRecord.person_id == Person.id, visible_to(client.agency_id)),
                )
                .where(Person.id_hash.in_([subject_key]))
                .order_by(Person.id, CreditRecord.decided_at.desc(), CreditRecord.id)
            )
        ).all()
        records = [row for row in rows if row[RECORD_ID] is not None]
        verdict = Verdict.REVIEW if records else Verdict.CLEAR
        await connection.execute(
            INSERT_CHECK.values(
                id=str(uuid.uuid4()),
                client_id=CLIENT_ID,
                agency_id=client.agency_id,
                checked_by=None,
                purpose=Purpose.HIRING,
                reference=payload["reference"],
                subject_type=SubjectType.PERSON,
                subject_key=subject_key,
                as_of=date.today(),
                verdict=verdict,
                ruleset_version="bare",
                result={
                    "verdict": verdict.value,
                    "rulesetVersion": "bare",
                    "warnings": [],
                    "findings": [],
                },
                checked_at=utcnow(),
            )
        )
        await connection.execute(
            RECORD_ACCESS, [_access(client.agency_id, subject_key, payload, verdict)]
        )
    sealer.wake()
    return Response(
        orjson.dumps({"verdict": verdict.value, "records": len(records)}),
        media_type="application/json",
    )


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    sealing = asyncio.create_task(sealer.run())
    yield
    sealing.cancel()
    await engine.dispose()


app = Starlette(
    routes=[Route("/check", check, methods=["POST"]), Route("/healthz", healthz)],
    lifespan=lifespan,
)
