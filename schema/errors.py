"""Every GraphQL error leaves with a machine-readable `extensions.code` (see schema.root).

Domain errors (hub.errors.HubError) keep their message and add `code` and `field`; GraphQL's
own errors are classified; anything unexpected is logged and masked."""

from __future__ import annotations

import logging
import traceback

from graphql.error import GraphQLError

from hub.errors import HubError

log = logging.getLogger("hub.graphql")


def log_unexpected(where: str, error: BaseException) -> None:
    """Type and frames only, never the message: an exception's message (a KeyError's key, a
    database error's parameters) may carry an ID number or a name."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected error in %s: %s\n%s", where, type(error).__name__, frames)


INTERNAL = "INTERNAL_SERVER_ERROR"


def classify(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, HubError):
        extensions: dict[str, object] = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        extensions.update(original.extra)
        return _with(error, original.message, extensions)
    if isinstance(original, GraphQLError):
        # graphql-core's own input coercion (a bad enum or scalar value in the variables).
        return _with(error, error.message, {"code": "BAD_USER_INPUT"})
    if original is not None:
        log_unexpected(".".join(str(p) for p in error.path or ()), original)
        return _with(error, "Internal server error", {"code": INTERNAL})
    if error.extensions and "code" in error.extensions:
        return error
    message = error.message
    if message.startswith("Syntax Error"):
        code = "GRAPHQL_PARSE_FAILED"
    elif message.startswith("Variable '$"):
        code = "BAD_USER_INPUT"
    else:
        code = "GRAPHQL_VALIDATION_FAILED"
    return _with(error, message, {"code": code})


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def classify_all(errors: list[GraphQLError]) -> list[GraphQLError]:
    return [classify(e) for e in errors]
