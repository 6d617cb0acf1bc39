from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.federation.schema import FederationAny
from strawberry.printer import print_schema
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionResult

from hub import clock
from hub.audit.purposes import AccessPurpose
from hub.auth.scopes import ADMIN, FEDERATION_SDL, RECORDS_READ
from hub.subjects.identifiers import parse_id_number, parse_uscc
from hub.subjects.service import read_person
from schema.access import stated_purpose
from schema.audit_trail import AuditQueries
from schema.checks import CheckQueries
from schema.disclosure import DisclosureQueries
from schema.documents import ParseOnce
from schema.errors import classify_all
from schema.evaluation import EvaluationMutations, EvaluationQueries
from schema.feed import FeedQueries
from schema.inputs import parse_representation
from schema.lifecycle import LifecycleMutations, LifecycleQueries
from schema.limits import LIMITS, Limits, LimitsFirstValidation, shape_rules
from schema.oversight import OversightMutations, OversightQueries
from schema.permissions import scoped_field
from schema.records import RecordMutations, RecordQueries
from schema.types import Organization, Person, organization_of, person_of


@strawberry.type
class SubjectQueries:
    @scoped_field(RECORDS_READ, description="A government body by 统一社会信用代码.")
    async def organization(self, info: strawberry.Info, uscc: str) -> Organization | None:
        code = parse_uscc(uscc, field="uscc")
        row = await info.context.loaders.organization_by_uscc.load(code.code)
        return organization_of(row) if row else None

    @scoped_field(
        RECORDS_READ,
        description="A person by 居民身份证号码. States a purpose (argument or X-Hub-Purpose); "
        "every lookup is audited.",
    )
    async def person(
        self,
        info: strawberry.Info,
        id_number: str,
        purpose: AccessPurpose | None = None,
        reference: str | None = None,
    ) -> Person | None:
        why = stated_purpose(info, purpose, reference)
        subject = parse_id_number(id_number, field="idNumber", today=clock.today())
        context = info.context
        row = await read_person(context.session, context.runtime.pii, subject, why)
        return person_of(row) if row else None


@strawberry.type(name="_Service")
class Service:
    sdl: str


@strawberry.type
class FederationQueries:
    # In place of Strawberry's own `_service` (which answers anyone): the whole schema,
    # mutations included, is for the gateway that composes it and for administrators.
    @scoped_field(FEDERATION_SDL, ADMIN, name="_service")
    def service(self, info: strawberry.Info) -> Service:
        return Service(sdl=print_schema(info.schema))


@strawberry.type
class Query(
    FederationQueries,
    CheckQueries,
    RecordQueries,
    SubjectQueries,
    AuditQueries,
    LifecycleQueries,
    DisclosureQueries,
    FeedQueries,
    EvaluationQueries,
    OversightQueries,
):
    pass


@strawberry.type
class Mutation(RecordMutations, LifecycleMutations, EvaluationMutations, OversightMutations):
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

    def entities_resolver(
        self, info: strawberry.Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        # Strawberry hands each representation to resolve_reference as keyword arguments
        # unchecked: a malformed one would fail there as an unexpected error.
        checked = [
            parse_representation(r, f"representations.{i}") for i, r in enumerate(representations)
        ]
        return super().entities_resolver(info, checked)  # type: ignore[arg-type]

    @property
    def root_fields(self) -> frozenset[str]:
        """Names a request may start with (metrics label operations by them)."""
        roots = (self._schema.query_type, self._schema.mutation_type)
        return frozenset({"__typename"}).union(*(r.fields for r in roots if r is not None))


class _Execution(StrawberryGraphQLCoreExecutionContext):
    def build_response(self, data: Any) -> Any:
        response = super().build_response(data)
        # graphql-core's execution context holds bound methods of itself (its async
        # helpers): a reference cycle that kept the whole request — the context, the session,
        # every collected field — alive until the cyclic collector ran, ~90 objects per
        # check; those collections paused the serving process 3–15 ms at a time. The work is
        # done once the response is built, so the cycle is broken here and reference counting
        # frees the request at once.
        self.async_helpers = None  # type: ignore[assignment]
        return response


class _ExecutionWithoutSuggestions(_Execution):
    # Variables are coerced when the execution is built: a misspelt enum value or input
    # field in the variables would otherwise be answered with "Did you mean …?".
    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        return super().build(*args, **{**kwargs, "hide_suggestions": True})


def build_schema(*, production: bool = False, limits: Limits = LIMITS) -> HubSchema:
    """In production introspection is off (`_service { sdl }` stays, for the federation
    router) and no error suggests a field, type or value; the limits apply in both modes."""
    shape = shape_rules(limits)
    # Factories or classes, not instances: a fresh extension per request. The caches are
    # module-level and shared across requests; the rule classes are built once (above) because
    # they are part of the validation cache's key.
    extensions: list[object] = [
        ParseOnce,
        lambda: LimitsFirstValidation(shape, hide_suggestions=production),
    ]
    if production:
        extensions.append(DisableIntrospection)
    return HubSchema(
        query=Query,
        mutation=Mutation,
        types=[Person, Organization],
        federation_version="2.9",
        extensions=extensions,  # type: ignore[arg-type]
        execution_context_class=_ExecutionWithoutSuggestions if production else _Execution,
        config=StrawberryConfig(auto_camel_case=True),
    )
