"""`/graphql`: one POST with a JSON body is one operation in one transaction.

Authentication (hub.web.auth), the request id and the body limit (hub.web.middleware) come
from middleware. This view reads the operation (schema.transport), parses it once
(schema.documents), admits the caller — an anonymous caller only for public fields, within
its rate limit and its persisted-operations list — then runs it in the caller's session and
commits (or rolls back when something unexpected failed). Nothing but a JSON POST executes
anything, so no form, link or image can make a browser run an operation (no CSRF path).

The view is written for the hub rather than taken from strawberry.asgi: that view answers
transport errors as plain text without `extensions.code`, supports batching, multipart and
queries over GET that the hub refuses, and parses documents itself."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import DocumentNode
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from hub.db.availability import is_unavailable
from hub.errors import Unauthenticated
from hub.web import metrics as outcomes
from hub.web.auth import SEND_A_TOKEN, claims_of
from hub.web.metrics import Exchange, root_fields
from hub.web.persisted import admit
from hub.web.responses import (
    UNAVAILABLE,
    graphql_error,
    rate_limited,
    service_unavailable,
    unauthorized,
)
from hub.web.sessions import caller_session
from hub.web.state import WebState, web_state
from schema.context import HubContext
from schema.documents import budget_refusal, is_public, parsed_for_anonymous, parsed_or_none
from schema.errors import INTERNAL, log_unexpected
from schema.root import HubSchema
from schema.transport import Operation, read_operation, stated_in_headers


class GraphQLView:
    def __init__(self, schema: HubSchema) -> None:
        self.schema = schema

    async def endpoint(self, request: Request) -> Response:
        web = web_state(request)
        with web.metrics.graphql_request() as exchange:
            try:
                return await self._respond(request, web, exchange)
            except Exception as error:
                if is_unavailable(error):  # connecting, or committing, failed
                    exchange.outcome = outcomes.UNAVAILABLE
                    return service_unavailable()
                # Starlette would answer text/plain; the caller gets the same masked error as
                # for a failure inside a resolver. Type and place only: messages may carry PII.
                log_unexpected("the /graphql handler", error)
                exchange.outcome = outcomes.INTERNAL
                return graphql_error("Internal server error", INTERNAL, 500)

    async def _respond(self, request: Request, web: WebState, exchange: Exchange) -> Response:
        if request.method == "GET":
            return self._get(request, web, exchange)
        operation = await read_operation(request, web.persisted_operations)
        if isinstance(operation, Response):
            return operation
        # First, before anything is parsed: a flood costs the hub as little as possible.
        limited = await self._rate_limited(request, web, exchange)
        if limited is not None:
            return limited
        document = self._parsed(request, operation, exchange)
        if isinstance(document, Response):
            return document
        fields = root_fields(document, operation.name)
        exchange.operation = fields[0].name.value if fields else outcomes.UNKNOWN
        refused = self._admission(request, web, exchange, operation, document)
        if refused is not None:
            return refused
        stated = stated_in_headers(request)
        if isinstance(stated, Response):
            return stated
        try:
            result = await self._execute(request, web, operation, stated)
        except Unauthenticated as exc:
            return unauthorized(exc.message)
        if _codes(result) & {UNAVAILABLE}:
            # A resolver lost the database: its transaction was rolled back; the caller
            # retries the whole operation.
            exchange.outcome = outcomes.UNAVAILABLE
            return service_unavailable()
        failed = _failed(result)
        if failed:
            exchange.outcome = outcomes.INTERNAL
        else:
            exchange.outcome = outcomes.ERROR if result.errors else outcomes.OK
            web.metrics.count_verdicts(fields, result.data)  # only checks that were stored
        document_out: dict[str, Any] = {"data": result.data}
        if result.errors:
            document_out["errors"] = [e.formatted for e in result.errors]
        return Response(orjson.dumps(document_out), 200, media_type="application/json")

    def _get(self, request: Request, web: WebState, exchange: Exchange) -> Response:
        if not web.runtime.settings.is_production and "text/html" in request.headers.get(
            "accept", ""
        ):
            exchange.outcome = outcomes.OK
            return HTMLResponse(get_graphql_ide_html())
        return graphql_error("send operations by POST with a JSON body", "METHOD_NOT_ALLOWED", 405)

    async def _rate_limited(
        self, request: Request, web: WebState, exchange: Exchange
    ) -> Response | None:
        claims = claims_of(request)
        address = request.client.host if request.client else "unknown"
        client_id = claims.client_id if claims else None
        wait = await web.rate_limiter.retry_after(client_id, address)
        if wait is None:
            return None
        exchange.outcome = outcomes.RATE_LIMITED
        web.metrics.rate_limited.labels(client_id or "anonymous").inc()
        return rate_limited(wait)

    def _parsed(
        self, request: Request, operation: Operation, exchange: Exchange
    ) -> DocumentNode | Response | None:
        """The parsed document (None when it does not parse: execution reports why), or the
        refusal of an anonymous document over its token budget."""
        if claims_of(request) is not None:
            return parsed_or_none(operation.query)
        parsed = parsed_for_anonymous(operation.query)
        if isinstance(parsed, str):
            exchange.outcome = outcomes.ERROR
            return too_large(parsed)
        return parsed

    def _admission(
        self,
        request: Request,
        web: WebState,
        exchange: Exchange,
        operation: Operation,
        document: DocumentNode | None,
    ) -> Response | None:
        """Who may run this at all: a token (or a public field), the size, the list."""
        claims = claims_of(request)
        if claims is None and ("authorization" in request.headers or not is_public(document)):
            return unauthorized(SEND_A_TOKEN)
        if document is not None:
            # Before any validation: the refusal costs one pass over the parsed document.
            over = budget_refusal(document, anonymous=claims is None)
            if over is not None:
                exchange.outcome = outcomes.ERROR
                return too_large(over)
        refusal = admit(
            web.persisted_operations, web.metrics, claims, operation.query, operation.name
        )
        if refusal is not None:
            return graphql_error(refusal.message, refusal.code, refusal.status)
        return None

    async def _execute(
        self, request: Request, web: WebState, operation: Operation, stated: tuple[Any, Any]
    ) -> Any:
        async with caller_session(web, request, claims_of(request)) as caller:
            context = HubContext(
                session=caller.session,
                actor=caller.actor,
                runtime=web.runtime,
                request_id=caller.request_id,
                purpose=stated[0],
                reference=stated[1],
            )
            result = await self.schema.execute(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.name,
            )
            caller.failed = _failed(result)
        return result


def too_large(reason: str) -> Response:
    return graphql_error(
        f"operation too large: {reason}; split it into smaller operations",
        "OPERATION_TOO_LARGE",
        400,
    )


def _codes(result: Any) -> set[str]:
    return {str((e.extensions or {}).get("code")) for e in result.errors or ()}


def _failed(result: Any) -> bool:
    """Nothing of the operation is kept: something failed unexpectedly, or the database
    went away part-way."""
    return bool(_codes(result) & {INTERNAL, UNAVAILABLE})
