from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from hub.auth.scopes import RECORDS_READ
from hub.subjects.identifiers import IdNumber
from hub.subjects.service import persons_by_hash
from schema.checks import CheckQueries
from schema.errors import classify_all
from schema.inputs import SubjectInput, parse_subject
from schema.permissions import scoped_field
from schema.records import RecordMutations, RecordQueries
from schema.types import Organization, Person, organization_of, person_of


@strawberry.type
class SubjectQueries:
    @scoped_field(RECORDS_READ, description="A government body by 统一社会信用代码.")
    async def organization(self, info: strawberry.Info, uscc: str) -> Organization | None:
        code = parse_subject(SubjectInput(uscc=uscc), "uscc")
        row = await info.context.loaders.organization_by_uscc.load(code.code)  # type: ignore[union-attr]
        return organization_of(row) if row else None

    @scoped_field(RECORDS_READ, description="A person by 居民身份证号码.")
    async def person(self, info: strawberry.Info, id_number: str) -> Person | None:
        subject = parse_subject(SubjectInput(id_number=id_number), "idNumber")
        assert isinstance(subject, IdNumber)
        key = info.context.services.pii.lookup_hash(subject.number)
        row = (await persons_by_hash(info.context.session, [key])).get(key)
        return person_of(row) if row else None


@strawberry.type
class Query(CheckQueries, RecordQueries, SubjectQueries):
    pass


@strawberry.type
class Mutation(RecordMutations):
    pass


class HubSchema(strawberry.federation.Schema):
    """Classifies every error, including parse and validation errors that happen before any
    extension sees a result, and leaves logging to schema.errors (Strawberry's default
    logger would print exception messages, which may carry personal data)."""

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = classify_all(result.errors)
        return result

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema(*, production: bool = False) -> strawberry.federation.Schema:
    # Factories, not instances: a fresh extension per request; the caches themselves are
    # module-level in Strawberry and shared across requests.
    extensions: list[object] = [
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    return HubSchema(
        query=Query,
        mutation=Mutation,
        types=[Person, Organization],
        federation_version="2.9",
        extensions=extensions,  # type: ignore[arg-type]
        config=StrawberryConfig(auto_camel_case=True),
    )
