"""`/graphql`: one POST with a JSON body is one operation in one transaction.

The handler owns the request's session: it authenticates the caller, runs the operation,
then commits (or rolls back when something unexpected failed)."""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache
from typing import Any

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from hub.auth.actor import Actor
from hub.auth.service import actor_for_token
from hub.auth.tokens import TokenClaims, TokenIssuer
from hub.errors import Unauthenticated
from schema.context import HubContext
from schema.errors import INTERNAL

log = logging.getLogger("hub.web")

MAX_BODY = 2 * 1024 * 1024


def graphql_error(
    message: str, code: str, status: int, headers: dict[str, str] | None = None
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def unauthorized(message: str) -> Response:
    return graphql_error(
        message,
        "UNAUTHENTICATED",
        401,
        {"WWW-Authenticate": 'Bearer realm="hub", error="invalid_token"'},
    )


# Root fields anyone may call without a token: a printed report is verified by whoever
# holds it (an applicant, an auditor), not only by agencies with clients.
PUBLIC_ROOT_FIELDS = frozenset({"verifyReport", "__typename"})
ANONYMOUS = Actor(client_id=None, agency_id=None, scopes=frozenset())


@lru_cache(maxsize=256)
def is_public_operation(query: str) -> bool:
    try:
        document = parse(query)
    except GraphQLError:
        return False
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            return False
        if definition.operation is not OperationType.QUERY:
            return False
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode):
                return False
            if selection.name.value not in PUBLIC_ROOT_FIELDS:
                return False
    return True


def bearer_claims(request: Request) -> TokenClaims:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "send an access token: Authorization: Bearer <token> (see /oauth/token)"
        )
    issuer: TokenIssuer = request.app.state.tokens
    return issuer.verify(token.strip())


async def graphql_endpoint(request: Request) -> Response:
    state = request.app.state
    if request.method == "GET":
        if not state.settings.is_production and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(get_graphql_ide_html())
        return graphql_error("send operations by POST with a JSON body", "METHOD_NOT_ALLOWED", 405)

    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return graphql_error("Content-Type must be application/json", "UNSUPPORTED_MEDIA_TYPE", 415)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return graphql_error(f"request body larger than {MAX_BODY} bytes", "PAYLOAD_TOO_LARGE", 413)
    body = await request.body()
    if len(body) > MAX_BODY:
        return graphql_error(f"request body larger than {MAX_BODY} bytes", "PAYLOAD_TOO_LARGE", 413)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return graphql_error("the body is not valid JSON", "BAD_REQUEST", 400)
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return graphql_error(
            "the body must be one JSON object with a `query` string", "BAD_REQUEST", 400
        )
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return graphql_error("`variables` must be a JSON object", "BAD_REQUEST", 400)

    anonymous = "authorization" not in request.headers and is_public_operation(payload["query"])
    claims = None
    if not anonymous:
        try:
            claims = bearer_claims(request)
        except Unauthenticated as exc:
            return unauthorized(exc.message)

    request_id = _request_id(request.headers.get("x-request-id", ""))
    async with state.sessions() as session:
        try:
            actor = await actor_for_token(session, claims) if claims else ANONYMOUS
        except Unauthenticated as exc:
            return unauthorized(exc.message)
        context = HubContext(
            session=session, actor=actor, services=state.services, request_id=request_id
        )
        result = await state.schema.execute(
            payload["query"],
            variable_values=variables,
            context_value=context,
            operation_name=payload.get("operationName"),
        )
        failed = any((e.extensions or {}).get("code") == INTERNAL for e in result.errors or ())
        if failed:
            await session.rollback()
        else:
            await session.commit()

    document: dict[str, Any] = {"data": result.data}
    if result.errors:
        document["errors"] = [e.formatted for e in result.errors]
    return Response(
        orjson.dumps(document),
        200,
        media_type="application/json",
        headers={"X-Request-Id": request_id},
    )


def _request_id(given: str) -> str:
    # A caller's id is kept for correlation only if it is short and plain (it reaches logs).
    if 0 < len(given) <= 64 and all(c.isalnum() or c in "-_." for c in given):
        return given
    return uuid.uuid4().hex
