"""Parsing an operation's text once: the HTTP view (to name the operation, decide whether an
anonymous caller may run it, and check a persisted-operations list) and the schema's execution
share one cache, so a document is parsed once however many look at it."""

from __future__ import annotations

from collections import Counter
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


def parsed_for_anonymous(query: str) -> DocumentNode | str | None:
    """An anonymous caller's document, parsed only up to its much smaller token budget (the
    lexer stops there: a flood of large documents costs little to refuse); the refusal's
    reason when it is over; None when it does not parse. Not cached: anonymous documents
    differ at will and would evict the clients'."""
    try:
        return parse(query, max_tokens=LIMITS.anonymous_max_tokens)
    except GraphQLError as error:
        if "more than" in error.message and "tokens" in error.message:
            return f"more than {LIMITS.anonymous_max_tokens} tokens for an anonymous caller"
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


def budget_refusal(document: DocumentNode, *, anonymous: bool) -> str | None:
    """Why the document is too large to validate, or None. One pass over the parsed document,
    each fragment counted once where defined (the depth limit bounds their nesting)."""
    limit = LIMITS.anonymous_max_fields if anonymous else LIMITS.max_fields
    total = 0
    for definition in document.definitions:
        stack = [getattr(definition, "selection_set", None)]
        while stack:
            selection_set = stack.pop()
            if selection_set is None:
                continue
            selections = selection_set.selections
            names = Counter(
                (s.alias or s.name).value for s in selections if isinstance(s, FieldNode)
            )
            name, most = names.most_common(1)[0] if names else ("", 0)
            if most > LIMITS.max_repeats:
                return f"the field {name} is selected {most} times in one place"
            if len(selections) > LIMITS.max_fields_per_selection:
                return (
                    f"{len(selections)} selections in one selection set; at most "
                    f"{LIMITS.max_fields_per_selection}"
                )
            total += len(selections)
            if total > limit:
                who = "an anonymous caller" if anonymous else "one operation"
                return f"more than {limit} fields for {who}"
            stack.extend(getattr(s, "selection_set", None) for s in selections)
    return None


class ParseOnce(SchemaExtension):
    """The schema's parsing step, from the shared cache (in place of Strawberry's ParserCache
    and MaxTokensLimiter: the token limit is part of `parse_document`)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            context.graphql_document = parse_document(context.query)
        yield
