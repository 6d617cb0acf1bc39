"""Scopes, declared and enforced in one place.

Strawberry only *declares* `@requiresScopes` in the SDL (for a federation router to enforce);
`scoped_field` adds the same list as an in-process guard, so the subgraph is safe on its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from hub.auth.actor import Actor
from hub.auth.scopes import CHECK_SCOPES, RECORDS_READ
from hub.errors import Forbidden

# Persons and bodies reach a caller as a check's subject or through the records API: their
# entity types (and `_entities`) need one of these scopes, declared and enforced alike.
ENTITY_SCOPES = (RECORDS_READ, *CHECK_SCOPES)


def require_any(actor: Actor, scopes: tuple[str, ...], what: str) -> None:
    if not any(actor.has(s) for s in scopes):
        needed = " or ".join(f"'{s}'" for s in scopes)
        raise Forbidden(f"{what} needs the scope {needed}", field=scopes[0])


def entity_scopes() -> list[list[str]]:
    """@requiresScopes of the entity types: any one of ENTITY_SCOPES."""
    return [[scope] for scope in ENTITY_SCOPES]


class RequireAnyScope(FieldExtension):
    def __init__(self, scopes: tuple[str, ...]) -> None:
        self.scopes = scopes

    def _check(self, info: strawberry.Info) -> None:
        require_any(info.context.actor, self.scopes, info.field_name)

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kw: Any
    ) -> Any:
        self._check(info)
        return next_(source, info, **kw)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kw: Any
    ) -> Any:
        self._check(info)
        return await next_(source, info, **kw)


def scoped_field(*scopes: str, **kwargs: Any) -> Any:
    """A field callable by holders of any one of `scopes`."""
    return strawberry.federation.field(
        requires_scopes=[[s] for s in scopes],
        extensions=[RequireAnyScope(scopes)],
        **kwargs,
    )


def scoped_mutation(*scopes: str, **kwargs: Any) -> Any:
    return strawberry.federation.mutation(
        requires_scopes=[[s] for s in scopes],
        extensions=[RequireAnyScope(scopes)],
        **kwargs,
    )
