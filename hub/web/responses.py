"""The error answers the hub's HTTP edge gives before any GraphQL runs: the GraphQL error
shape (`{"errors": [{"message", "extensions": {"code"}}]}`) with a fitting HTTP status."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from hub.db.availability import RETRY_AFTER_SECONDS


def graphql_error(
    message: str,
    code: str,
    status: int,
    headers: dict[str, str] | None = None,
    **extensions: object,
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def unauthorized(message: str) -> Response:
    return graphql_error(
        message,
        "UNAUTHENTICATED",
        401,
        {"WWW-Authenticate": 'Bearer realm="hub", error="invalid_token"'},
    )


UNAVAILABLE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "the database is unavailable; retry shortly"


def service_unavailable() -> Response:
    """The database cannot be reached: nothing was done; the caller retries."""
    return graphql_error(
        UNAVAILABLE_MESSAGE,
        UNAVAILABLE,
        503,
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
        retryAfter=RETRY_AFTER_SECONDS,
    )


def rate_limited(wait: int) -> Response:
    # The wait also in the body: a federation gateway passes on the error, not the header.
    return graphql_error(
        f"too many requests; retry after {wait} s",
        "RATE_LIMITED",
        429,
        {"Retry-After": str(wait)},
        retryAfter=wait,
    )
