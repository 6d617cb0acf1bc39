"""What a GraphQL request over HTTP must look like before anything runs: one JSON object per
POST with a `query` (or a persisted operation's hash), optional `variables` and
`operationName`. Each refusal is a GraphQL-shaped error with its own code and status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from hub.audit.purposes import AccessPurpose
from hub.web.limits import LIMITS
from hub.web.persisted import Manifest, Refusal, persisted_query
from hub.web.responses import graphql_error


@dataclass(frozen=True)
class Operation:
    query: str
    variables: dict[str, Any] | None
    name: str | None


async def read_operation(request: Request, manifest: Manifest | None) -> Operation | Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return graphql_error("Content-Type must be application/json", "UNSUPPORTED_MEDIA_TYPE", 415)
    try:
        body = await request.body()  # the BodyLimit middleware bounds it
    except ClientDisconnect:
        body = b""
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
    persisted = persisted_query(payload, manifest)
    if isinstance(persisted, Refusal):
        return graphql_error(persisted.message, persisted.code, persisted.status)
    if persisted is not None:  # sent by its hash alone: the text comes from the manifest
        payload = {**payload, "query": persisted}
    return _operation(payload)


def _operation(payload: Any) -> Operation | Response:
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
    return Operation(payload["query"], variables, name)


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
