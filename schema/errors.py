"""Every GraphQL error leaves with a machine-readable `extensions.code` (see schema.root).

Domain errors (hub.errors.HubError) keep their message and add `code` and `field`; GraphQL's
own errors are classified; anything unexpected is logged and masked."""

from __future__ import annotations

import logging
import re
import traceback

from graphql.error import GraphQLError

from hub.db.availability import is_unavailable
from hub.errors import HubError
from hub.web.responses import UNAVAILABLE, UNAVAILABLE_MESSAGE

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
        return _with(error, *without_values(error.message, "BAD_USER_INPUT"))
    if original is not None and is_unavailable(original):
        return _with(error, UNAVAILABLE_MESSAGE, {"code": UNAVAILABLE})
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
    return _with(error, *without_values(message, code))


# graphql-core's coercion and validation messages quote the value they refused ("…, found:
# {'subject': {'idNumber': '3612…'}}", "Value 'X' does not exist…", "String cannot represent a
# non string value: 3612…"). An ID number must never travel back in an error (or into a log):
# the message keeps the field and the reason and loses the value.
_FOUND = re.compile(r"([,.;?]) (?:but encountered error .*; )?[Ff]ound: .*$", re.S)
_ENUM = re.compile(r"Value .* does not exist in '(\w+)' enum\.?(?: Did you mean.*)?$", re.S)
_SCALAR = re.compile(r"(\w+) cannot represent .*$", re.S)
_EXPECTED = re.compile(r"Expected value of type '?([\w!\[\]]+)'?, found .*$", re.S)
_PLACE = re.compile(r"^Variable '\$(\w+)' has invalid value(?: at ([^:]*))?:")
_NAMED_FIELD = re.compile(r"field '(\w+)'")


def without_values(message: str, code: str) -> tuple[str, dict[str, object]]:
    """The message with any quoted input value removed, and `field` where it can be told:
    the variable's path and the input field named (`i.subject.idNumber`)."""
    cleaned = _FOUND.sub(lambda found: "?" if found.group(1) == "?" else ".", message)
    cleaned = _ENUM.sub(r"not a value of the enum \1.", cleaned)
    cleaned = _SCALAR.sub(r"the value is not a valid \1.", cleaned)
    cleaned = _EXPECTED.sub(r"the value is not a valid \1.", cleaned)
    extensions: dict[str, object] = {"code": code}
    place = _PLACE.match(message)
    if place:
        path = [place.group(1), *(p for p in re.split(r"[.\[\]]+", place.group(2) or "") if p)]
        named = _NAMED_FIELD.search(cleaned)
        if named is not None:  # a required field missing, or an unknown one given
            path.append(named.group(1))
        extensions["field"] = ".".join(path)
    return cleaned, extensions


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
