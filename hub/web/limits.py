"""How large a request may be: its body, and the shape of the GraphQL document it carries.
The transport checks the body and the text; the schema's validation checks the shape."""

from __future__ import annotations

from dataclasses import dataclass

# One body limit for every route (GraphQL, token requests, forms).
MAX_BODY = 2 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # The deepest legitimate operation, check { findings { record { subject { … on Person {
    # records { sourceAgency { name } } } } } } }, has depth 6. Introspection fields are not
    # counted (graphql-core bounds their depth itself).
    max_depth: int = 10
    max_aliases: int = 15
    # Parser tokens, comments included. Bulk input belongs in variables, which are not counted.
    max_tokens: int = 2_000
    # Characters of the query text, checked by the HTTP handler before parsing: a string
    # literal is one token however long it is, and parsed documents are cached by their text.
    max_query_length: int = 50_000
    # Per field, fragment or operation; @include and @skip together are 2.
    max_directives: int = 3
    # Counted on the parsed document before any validation (schema.documents.budget_refusal):
    # the spec's overlapping-fields rule is quadratic in the fields of a selection set, so
    # ~190 copies of one field (no alias needed) cost ~0.5 s of event-loop time to validate.
    # The largest legitimate operation (a check with every detail) selects ~60 fields.
    max_fields: int = 300
    max_fields_per_selection: int = 60
    # The same response name more than this often in one selection set is no query anyone
    # needs; it only feeds the quadratic rule.
    max_repeats: int = 3
    # An anonymous caller may only verify reports: a few fields are all it ever needs, and
    # its document is parsed only this far (a report token is one token however long).
    anonymous_max_fields: int = 20
    anonymous_max_tokens: int = 200


LIMITS = Limits()
