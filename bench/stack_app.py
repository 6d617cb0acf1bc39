"""The chosen stack doing none of the work (bench.stack_floor): what Strawberry on Starlette
and uvicorn cost per request before the hub does anything.

`POST /graphql` answers the HR system's query (bench.hiring_check.CHECK_QUERY, the same
variables) with a fixed RESTRICTED answer of one finding: no token, no database, no rules.
Parsing and validation are cached, as the hub caches them. `POST /plain` sends the same
answer as JSON from a bare Starlette route: the HTTP server's share.

Run: `uvicorn bench.stack_app:app`."""

from __future__ import annotations

from enum import Enum

import orjson
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.extensions import ParserCache, ValidationCache


@strawberry.enum
class Purpose(Enum):
    HIRING = "HIRING"
    AWARD = "AWARD"


@strawberry.type
class Rule:
    id: str
    legal_basis: str


@strawberry.type
class Record:
    source_ref: str
    sanction_kind: str | None


@strawberry.type
class Finding:
    rule: Rule
    record: Record
    restricts_until: str | None
    disputed: bool


@strawberry.type
class CheckResult:
    id: str
    verdict: str
    ruleset_version: str
    checked_at: str
    findings: list[Finding]


@strawberry.input
class SubjectInput:
    id_number: str | None = None


@strawberry.input
class CheckInput:
    purpose: Purpose
    subject: SubjectInput
    reference: str


ANSWER = CheckResult(
    id="00000000-0000-4000-8000-000000000000",
    verdict="RESTRICTED",
    ruleset_version="2026.12",
    checked_at="2026-12-05T00:00:00+00:00",
    findings=[
        Finding(
            rule=Rule(id="HIRE-EXPULSION", legal_basis="《中华人民共和国公务员法》第二十六条"),
            record=Record(source_ref="江纪政处〔2024〕37号", sanction_kind="EXPULSION"),
            restricts_until=None,
            disputed=False,
        )
    ],
)


@strawberry.type
class Query:
    @strawberry.field
    async def check(self, input: CheckInput) -> CheckResult:
        return ANSWER


schema = strawberry.Schema(
    Query, extensions=[ParserCache(maxsize=100), ValidationCache(maxsize=100)]
)
PLAIN = orjson.dumps({"data": {"check": strawberry.asdict(ANSWER)}})


async def graphql(request: Request) -> Response:
    body = orjson.loads(await request.body())
    result = await schema.execute(body["query"], variable_values=body.get("variables"))
    document: dict = {"data": result.data}
    if result.errors:
        document["errors"] = [e.formatted for e in result.errors]
    return Response(orjson.dumps(document), media_type="application/json")


async def plain(request: Request) -> Response:
    orjson.loads(await request.body())
    return Response(PLAIN, media_type="application/json")


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/graphql", graphql, methods=["POST"]),
        Route("/plain", plain, methods=["POST"]),
        Route("/healthz", healthz),
    ]
)
