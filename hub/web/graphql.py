"""`/graphql`: one POST with a JSON body is one operation in one transaction.

The handler owns the request's session: it authenticates the caller, applies its rate limit,
runs the operation, then commits (or rolls back when something unexpected failed). Nothing
but a JSON POST executes anything, so no form, link or image can make a browser run an
operation (no CSRF path); a JSON array (a batch) is refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from hub.access.enforcement import bind
from hub.audit.purposes import AccessPurpose
from hub.audit.service import Caller, open_trail, recorded_any
from hub.auth.actor import Actor
from hub.auth.service import actor_for_token
from hub.auth.tokens import TokenClaims
from hub.auth.verifier import TokenVerifier
from hub.errors import Unauthenticated
from hub.web import metrics as outcomes
from hub.web.metrics import Exchange, Metrics, root_fields
from hub.web.persisted import Refusal, admit, persisted_query
from hub.web.ratelimit import RateLimiter
from schema.context import HubContext
from schema.errors import INTERNAL, log_unexpected
from schema.limits import LIMITS

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
def parsed(query: str) -> DocumentNode | None:
    # The same token limit as the schema's: this parse runs before the caller is known.
    try:
        return parse(query, max_tokens=LIMITS.max_tokens)
    except GraphQLError:
        return None


def is_public_operation(query: str) -> bool:
    document = parsed(query)
    if document is None:
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


async def bearer_claims(request: Request) -> TokenClaims:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "send an access token: Authorization: Bearer <token> (see /oauth/token)"
        )
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(token.strip())


async def graphql_endpoint(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    with metrics.graphql_request() as exchange:
        try:
            return await _respond(request, exchange)
        except Exception as error:
            # Starlette would answer text/plain; the caller gets the same masked error as
            # for a failure inside a resolver. Type and place only: messages may carry PII.
            log_unexpected("the /graphql handler", error)
            exchange.outcome = outcomes.INTERNAL
            return graphql_error("Internal server error", INTERNAL, 500)


@dataclass(frozen=True)
class _Operation:
    query: str
    variables: dict[str, Any] | None
    name: str | None


async def _respond(request: Request, exchange: Exchange) -> Response:
    state = request.app.state
    if request.method == "GET":
        if not state.settings.is_production and "text/html" in request.headers.get("accept", ""):
            exchange.outcome = outcomes.OK
            return HTMLResponse(get_graphql_ide_html())
        return graphql_error("send operations by POST with a JSON body", "METHOD_NOT_ALLOWED", 405)
    operation = await _read_operation(request)
    if isinstance(operation, Response):
        return operation
    fields = root_fields(parsed(operation.query), operation.name)
    exchange.operation = fields[0].name.value if fields else outcomes.UNKNOWN

    anonymous = "authorization" not in request.headers and is_public_operation(operation.query)
    claims = None
    if not anonymous:
        try:
            claims = await bearer_claims(request)
        except Unauthenticated as exc:
            return unauthorized(exc.message)
    limited = _rate_limited(request, claims, exchange)
    if limited is not None:
        return limited
    refused = admit(
        state.persisted_operations, state.metrics, claims, operation.query, operation.name
    )
    if refused is not None:
        return graphql_error(refused.message, refused.code, refused.status)

    stated = stated_in_headers(request)
    if isinstance(stated, Response):
        return stated
    request_id = request_id_from(request.headers.get("x-request-id", ""))
    async with state.sessions() as session:
        try:
            actor = await actor_for_token(session, claims) if claims else ANONYMOUS
        except Unauthenticated as exc:
            return unauthorized(exc.message)
        # From here on every statement is filtered for this caller, and every read of a
        # person is noted for the audit trail.
        bind(session, actor)
        open_trail(session, Caller(actor.client_id, actor.agency_id, request_id))
        context = HubContext(
            session=session,
            actor=actor,
            services=state.services,
            request_id=request_id,
            purpose=stated[0],
            reference=stated[1],
        )
        result = await state.schema.execute(
            operation.query,
            variable_values=operation.variables,
            context_value=context,
            operation_name=operation.name,
        )
        failed = any((e.extensions or {}).get("code") == INTERNAL for e in result.errors or ())
        if failed:
            await session.rollback()
        else:
            # The accesses it noted are recorded by this same commit; seal them soon.
            await session.commit()
            if recorded_any(session):
                state.services.sealer.wake()

    if failed:
        exchange.outcome = outcomes.INTERNAL
    else:
        exchange.outcome = outcomes.ERROR if result.errors else outcomes.OK
        state.metrics.count_verdicts(fields, result.data)  # only checks that were stored
    document: dict[str, Any] = {"data": result.data}
    if result.errors:
        document["errors"] = [e.formatted for e in result.errors]
    return Response(
        orjson.dumps(document),
        200,
        media_type="application/json",
        headers={"X-Request-Id": request_id},
    )


async def _read_operation(request: Request) -> _Operation | Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return graphql_error("Content-Type must be application/json", "UNSUPPORTED_MEDIA_TYPE", 415)
    body = await _body(request)
    if body is None:
        return graphql_error(f"request body larger than {MAX_BODY} bytes", "PAYLOAD_TOO_LARGE", 413)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return graphql_error("the body is not valid JSON", "BAD_REQUEST", 400)
    if isinstance(payload, list):
        return graphql_error(
            "one operation per request: send each operation in a request of its own "
            "(many checks fit in one `checks(inputs:)` operation)",
            "BATCH_NOT_SUPPORTED",
            400,
        )
    persisted = persisted_query(payload, request.app.state.persisted_operations)
    if isinstance(persisted, Refusal):
        return graphql_error(persisted.message, persisted.code, persisted.status)
    if persisted is not None:  # sent by its hash alone: the text comes from the manifest
        payload = {**payload, "query": persisted}
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return graphql_error(
            "the body must be one JSON object with a `query` string", "BAD_REQUEST", 400
        )
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return graphql_error("`variables` must be a JSON object", "BAD_REQUEST", 400)
    if len(payload["query"]) > LIMITS.max_query_length:
        return graphql_error(
            f"the query is longer than {LIMITS.max_query_length} characters; "
            "send values in `variables`",
            "PAYLOAD_TOO_LARGE",
            413,
        )
    name = payload.get("operationName")
    if name is not None and not isinstance(name, str):
        return graphql_error("`operationName` must be a string", "BAD_REQUEST", 400)
    return _Operation(payload["query"], variables, name)


async def _body(request: Request) -> bytes | None:
    """The body, or None past MAX_BODY: refused by its declared length before it is read,
    and read no further than the limit when the length is not declared (chunked)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
    except ClientDisconnect:
        return b""
    return b"".join(chunks)


def _rate_limited(
    request: Request, claims: TokenClaims | None, exchange: Exchange
) -> Response | None:
    limiter: RateLimiter = request.app.state.rate_limiter
    client_id = claims.client_id if claims else None
    address = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client_id, address)
    if wait is None:
        return None
    exchange.outcome = outcomes.RATE_LIMITED
    request.app.state.metrics.rate_limited.labels(client_id or "anonymous").inc()
    return graphql_error(
        f"too many requests; retry after {wait} s", "RATE_LIMITED", 429, {"Retry-After": str(wait)}
    )


def stated_in_headers(request: Request) -> tuple[AccessPurpose | None, str | None] | Response:
    """X-Hub-Purpose (an AccessPurpose value) and X-Hub-Reference (percent-encoded when it
    is not ASCII, e.g. a 招录公告号): why the caller reads persons in this request."""
    raw = request.headers.get("x-hub-purpose", "").strip()
    purpose = None
    if raw:
        try:
            purpose = AccessPurpose(raw.upper())
        except ValueError:
            known = ", ".join(p.value for p in AccessPurpose)
            return graphql_error(
                f"X-Hub-Purpose: unknown purpose; one of {known}", "BAD_USER_INPUT", 400
            )
    reference = request.headers.get("x-hub-reference")
    if reference is None:
        return purpose, None
    text = unquote(reference)
    if any(not c.isprintable() for c in text):
        return graphql_error(
            "X-Hub-Reference: control characters are not allowed", "BAD_USER_INPUT", 400
        )
    return purpose, text


def request_id_from(given: str) -> str:
    # A caller's id is kept for correlation only if it is short and plain (it reaches logs).
    if 0 < len(given) <= 64 and all(c.isalnum() or c in "-_." for c in given):
        return given
    return uuid.uuid4().hex
