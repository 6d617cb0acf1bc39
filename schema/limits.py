"""Limits on the shape of an operation, and validation that checks them first.

An operation over a limit is refused before it is validated against the schema: the spec's
rules are the costly part (overlapping-fields checking is quadratic in the number of aliases)
and report every repeated directive, one error each. The limits apply in development too;
only introspection and suggestions differ between the modes (see schema.root).

No string may carry U+0000 (NUL), in the document or in the variables. PostgreSQL's text cannot
hold it and SQLite's can: a NUL reaching the database would be stored on one backend and fail the
request as an internal error on the other. No field has a use for it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    BREAK,
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    StringValueNode,
    ValidationRule,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from hub.web.limits import LIMITS, Limits

__all__ = ["LIMITS", "Limits", "LimitsFirstValidation", "nul_errors", "shape_rules"]


def directives_rule(max_directives: int) -> type[ValidationRule]:
    class MaxDirectivesValidator(ValidationRule):
        def check(self, node: Node, *_: Any) -> object:
            count = len(getattr(node, "directives", None) or ())
            if count <= max_directives:
                return None
            self.report_error(
                GraphQLError(f"{count} directives in one place. Allowed: {max_directives}", node)
            )
            return BREAK  # one error is enough; the rest of the document is not looked at

        enter_operation_definition = check
        enter_variable_definition = check
        enter_field = check
        enter_fragment_spread = check
        enter_inline_fragment = check
        enter_fragment_definition = check

    return MaxDirectivesValidator


NUL = "\x00"


def _nul_error(where: str, node: Node | None = None) -> GraphQLError:
    return GraphQLError(
        f"remove the U+0000 (NUL) character from {where}: no text field can hold it",
        node,
        extensions={"code": "BAD_USER_INPUT"},
    )


class NoNulStrings(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_: Any) -> object:
        if NUL not in node.value:
            return None
        self.report_error(_nul_error("this string", node))
        return BREAK


def nul_errors(variables: Mapping[str, Any] | None) -> list[GraphQLError]:
    """One error for the first variable holding a NUL in any string, a key included. The walk
    keeps its own stack: a variable nests as deep as its JSON does."""
    for name, value in (variables or {}).items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str) and NUL in item:
                return [_nul_error(f"variable ${name}")]
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return []


def shape_rules(limits: Limits) -> tuple[type[ASTValidationRule], ...]:
    """Built once per schema: the rule classes are part of the validation cache's key."""
    return (
        NoNulStrings,
        directives_rule(limits.max_directives),
        aliases_rule(limits.max_aliases),
        depth_rule(limits.max_depth, None),
    )


class LimitsFirstValidation(SchemaExtension):
    """Takes the place of Strawberry's validation step (and of ValidationCache): shape limits
    first, then the schema's rules (including any added by AddValidationRules extensions such
    as DisableIntrospection), then the variables' strings; `hide_suggestions` drops
    graphql-core's "Did you mean …?"."""

    def __init__(
        self, shape: tuple[type[ASTValidationRule], ...], *, hide_suggestions: bool
    ) -> None:
        self.shape = shape
        self.hide_suggestions = hide_suggestions

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        errors = _validate(
            context.schema._schema,
            context.graphql_document,
            self.shape,
            context.validation_rules,
            self.hide_suggestions,
        )
        # Variables are not part of the cached validation: they change with every request.
        context.pre_execution_errors = errors or nul_errors(context.variables)
        yield


# Shared by all requests, like Strawberry's ValidationCache; documents come from ParserCache,
# so a repeated query is one cache entry.
@lru_cache(maxsize=256)
def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    shape: tuple[type[ASTValidationRule], ...],
    rules: tuple[type[ASTValidationRule], ...],
    hide_suggestions: bool,
) -> list[GraphQLError]:
    errors = validate(schema, document, shape, hide_suggestions=hide_suggestions)
    if errors:
        return errors
    # Strawberry adds these two to the spec's rules in its own validation step.
    rules = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
    return validate(schema, document, rules, hide_suggestions=hide_suggestions)
