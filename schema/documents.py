"""Parsing an operation's text once: the HTTP view (to name the operation, decide whether an
anonymous caller may run it, and check a persisted-operations list) and the schema's execution
share one cache, so a document is parsed once however many look at it."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from strawberry.extensions import SchemaExtension

from hub.web.limits import LIMITS

# Root fields anyone may call without a token: a printed report is verified by whoever
# holds it (an applicant, an auditor), not only by agencies with clients.
PUBLIC_ROOT_FIELDS = frozenset({"verifyReport", "__typename"})


@lru_cache(maxsize=256)
def parse_document(query: str) -> DocumentNode:
    """Raises GraphQLError (a syntax error, or more tokens than the limit)."""
    return parse(query, max_tokens=LIMITS.max_tokens)


def parsed_or_none(query: str) -> DocumentNode | None:
    try:
        return parse_document(query)
    except GraphQLError:
        return None


def is_public(document: DocumentNode | None) -> bool:
    """Queries of public root fields only."""
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


class ParseOnce(SchemaExtension):
    """The schema's parsing step, from the shared cache (in place of Strawberry's ParserCache
    and MaxTokensLimiter: the token limit is part of `parse_document`)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            context.graphql_document = parse_document(context.query)
        yield
