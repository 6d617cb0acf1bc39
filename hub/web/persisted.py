"""Persisted operations: a manifest of reviewed GraphQL documents and, per client, the ones it
may run (after Apollo's persisted query lists and safelisting).

An operation's id is the sha256 (hex) of its exact text, UTF-8. A client may send the id alone,
in the APQ shape `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": …}}}`, and
the hub takes the text from the manifest. A client named under `clients` is held to its list:
in `enforce` mode anything else is refused with OPERATION_NOT_ALLOWED; in `measure` mode it
runs and is logged and counted, so that a list can be completed before it is enforced. The
`"*"` entry, if there is one, applies to every client not named; without it they are free.
Callers without a token (report verification) have no client and are never held to a list."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
)

from hub.auth.tokens import TokenClaims
from hub.errors import ConfigurationError, InvalidInput
from hub.web.limits import LIMITS
from hub.web.metrics import Metrics

log = logging.getLogger("hub.web")

Mode = Literal["enforce", "measure"]
MODES: tuple[str, ...] = get_args(Mode)
EVERY_OTHER_CLIENT = "*"
SETTING = "HUB_PERSISTED_OPERATIONS"


def operation_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Operation:
    id: str
    name: str | None
    body: str


@dataclass(frozen=True)
class Allowlist:
    mode: Mode
    operations: frozenset[str]


@dataclass(frozen=True)
class Unlisted:
    mode: Mode
    operation_id: str


@dataclass(frozen=True)
class Refusal:
    """An answer instead of execution; the HTTP handler turns it into a GraphQL error."""

    message: str
    code: str
    status: int


class Manifest:
    def __init__(
        self, source: str, operations: Iterable[Operation], allowlists: Mapping[str, Allowlist]
    ) -> None:
        self.source = source
        self.operations = {operation.id: operation for operation in operations}
        self.allowlists = dict(allowlists)
        # Texts sent in full that are in the manifest are recognised without hashing them.
        self._ids = {operation.body: operation.id for operation in self.operations.values()}

    def body(self, operation_id: str) -> str | None:
        operation = self.operations.get(operation_id)
        return operation.body if operation else None

    def unlisted(self, client_id: str, query: str) -> Unlisted | None:
        """What the client's allowlist says about this text; None when it may run freely."""
        allowlist = self.allowlists.get(client_id) or self.allowlists.get(EVERY_OTHER_CLIENT)
        if allowlist is None:
            return None
        listed = self._ids.get(query) or operation_id(query)
        return None if listed in allowlist.operations else Unlisted(allowlist.mode, listed)


def persisted_query(payload: Any, manifest: Manifest | None) -> str | Refusal | None:
    """The text a request names by `extensions.persistedQuery`, a refusal, or None when the
    request carries no such extension (or carries the text too, and it matches the hash)."""
    extensions = payload.get("extensions") if isinstance(payload, dict) else None
    reference = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if reference is None:
        return None
    wanted = reference.get("sha256Hash") if isinstance(reference, dict) else None
    if not isinstance(wanted, str) or reference.get("version") != 1:
        return Refusal(
            '`extensions.persistedQuery` must be {"version": 1, "sha256Hash": "<sha256 hex of '
            'the operation text>"}',
            "BAD_REQUEST",
            400,
        )
    query = payload.get("query")
    if isinstance(query, str):
        if operation_id(query) == wanted:
            return None
        return Refusal(
            "`sha256Hash` is not the sha256 of `query`; send the operation's exact text or "
            "its hash (or both, matching)",
            "BAD_REQUEST",
            400,
        )
    if manifest is None:
        return Refusal(
            "this hub has no persisted operations; send the operation's text in `query`",
            "PERSISTED_QUERY_NOT_SUPPORTED",
            400,
        )
    body = manifest.body(wanted)
    if body is None:
        return Refusal(
            "no persisted operation has this sha256Hash; send the operation's text in `query`, "
            "or ask the hub's operator to add it to the persisted operations manifest",
            "PERSISTED_QUERY_NOT_FOUND",
            404,  # as Apollo Router answers an id missing from its persisted query list
        )
    return body


def admit(
    manifest: Manifest | None,
    metrics: Metrics,
    claims: TokenClaims | None,
    query: str,
    operation_name: str | None,
) -> Refusal | None:
    """None when the caller may run the operation. An unlisted operation is counted and
    logged by its name and id only: its text and variables may hold ID numbers."""
    if manifest is None or claims is None:
        return None
    client_id = claims.client_id
    unlisted = manifest.unlisted(client_id, query)
    if unlisted is None:
        return None
    metrics.unlisted_operations.labels(client_id, unlisted.mode).inc()
    name = _name(query, operation_name)
    if unlisted.mode == "measure":
        log.warning(
            "client %s ran operation %s (sha256 %s), not on its list in %s (measure mode)",
            client_id,
            name,
            unlisted.operation_id,
            manifest.source,
        )
        return None
    log.info(
        "refused operation %s (sha256 %s) of client %s: not on its list in %s",
        name,
        unlisted.operation_id,
        client_id,
        manifest.source,
    )
    return Refusal(
        f"operation {name} (sha256 {unlisted.operation_id}) is not on the list of operations "
        "this client may run; ask the hub's operator to add it to the persisted operations "
        "manifest, or send an operation that is on the list",
        "OPERATION_NOT_ALLOWED",
        403,  # as Apollo Router answers an operation outside its safelist
    )


@lru_cache(maxsize=64)
def _name(query: str, requested: str | None) -> str:
    # From the document, not from `operationName`: a GraphQL name cannot hold free text.
    try:
        operation = get_operation_ast(parse(query, max_tokens=LIMITS.max_tokens), requested)
    except GraphQLError:
        operation = None
    return operation.name.value if operation and operation.name else "(anonymous)"


def load(path: Path | None) -> Manifest | None:
    """The manifest HUB_PERSISTED_OPERATIONS names, validated; None when it names none."""
    return read_manifest(path) if path is not None else None


def read_manifest(path: Path) -> Manifest:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _invalid(source, f"cannot be read as UTF-8 text ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(
            source, f"is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    return parse_manifest(data, source)


def parse_manifest(data: Any, source: str) -> Manifest:
    """`{"operations": [{"id", "name", "body"}, …], "clients": {id: {"mode", "operations"}}}`."""
    if not isinstance(data, dict):
        raise _invalid(source, 'must be a JSON object: {"operations": [...], "clients": {...}}')
    _only_keys(data, {"operations", "clients"}, source, "the manifest")
    entries = data.get("operations", [])
    if not isinstance(entries, list):
        raise _invalid(source, '"operations" must be a list of {"id", "name", "body"} objects')
    operations: dict[str, Operation] = {}
    for index, entry in enumerate(entries):
        operation = _operation(entry, source, f"operations[{index}]")
        if operation.id in operations:
            raise _invalid(source, f"operations[{index}]: the same text is listed twice")
        operations[operation.id] = operation
    clients = data.get("clients", {})
    if not isinstance(clients, dict):
        raise _invalid(source, '"clients" must be an object: {"<client id>": {"mode", …}}')
    allowlists = {
        client_id: _allowlist(entry, set(operations), source, f"clients[{client_id!r}]")
        for client_id, entry in clients.items()
    }
    return Manifest(source, operations.values(), allowlists)


def document_operation(text: str, source: str) -> Operation:
    """The manifest entry of one operation document (`hub operations hash`)."""
    document = _document(text)
    if isinstance(document, str):
        raise InvalidInput(f"{source}: {document}")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise InvalidInput(
            f"{source} holds {len(operations)} operations; put each operation (with its "
            "fragments) in a file of its own: an id is the hash of the exact text a client sends"
        )
    name = operations[0].name
    return Operation(operation_id(text), name.value if name else None, text)


def _operation(entry: Any, source: str, where: str) -> Operation:
    if not isinstance(entry, dict):
        raise _invalid(source, f'{where} must be an object {{"id", "name", "body"}}')
    _only_keys(entry, {"id", "name", "body"}, source, where)
    body, given, name = entry.get("body"), entry.get("id"), entry.get("name")
    if not isinstance(body, str) or not body.strip():
        raise _invalid(source, f'{where}: "body" must be the operation\'s text')
    document = _document(body)
    if isinstance(document, str):
        raise _invalid(source, f"{where}: {document}")
    expected = operation_id(body)
    if given != expected:
        raise _invalid(
            source,
            f'{where}: "id" is not the sha256 of its body (expected {expected}); '
            "`hub operations hash FILE.graphql` prints the entry of a document",
        )
    names = sorted(
        d.name.value
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name
    )
    if name is not None and name not in names:
        raise _invalid(
            source,
            f'{where}: "name" {name!r} is not an operation in its body '
            f"({', '.join(names) or 'anonymous operations only'})",
        )
    return Operation(expected, name, body)


def _allowlist(entry: Any, known: set[str], source: str, where: str) -> Allowlist:
    if not isinstance(entry, dict):
        raise _invalid(source, f'{where} must be an object {{"mode", "operations"}}')
    _only_keys(entry, {"mode", "operations"}, source, where)
    mode, listed = entry.get("mode"), entry.get("operations", [])
    if mode not in MODES:
        raise _invalid(
            source,
            f'{where}: "mode" must be "enforce" (refuse other operations) or "measure" '
            f"(run and log them); got {mode!r}",
        )
    if not isinstance(listed, list) or not all(isinstance(i, str) for i in listed):
        raise _invalid(source, f'{where}: "operations" must be a list of operation ids')
    unknown = next((i for i in listed if i not in known), None)
    if unknown is not None:
        raise _invalid(
            source,
            f"{where}: {unknown!r} is not the id of an operation in the manifest; add the "
            'operation under "operations" or remove the id',
        )
    return Allowlist(mode, frozenset(listed))


def _document(text: str) -> DocumentNode | str:
    """The parsed text, or what is wrong with it."""
    try:
        return parse(text, max_tokens=LIMITS.max_tokens)
    except GraphQLError as exc:
        return f"the text is not a GraphQL document: {exc.message}"


def _only_keys(entry: dict[str, Any], allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise _invalid(
            source,
            f"{where} has unknown keys {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(allowed))})",
        )


def _invalid(source: str, problem: str) -> ConfigurationError:
    return ConfigurationError(f"persisted operations manifest {source}: {problem}", field=SETTING)
