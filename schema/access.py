"""What the caller stated for its reads of persons: a field's own `purpose` and `reference`
arguments, else the request's X-Hub-Purpose and X-Hub-Reference headers. The rule that a
read of a person needs a purpose, and the noting of each read, belong to the services."""

from __future__ import annotations

import strawberry

from hub.audit.purposes import AccessPurpose, Stated, require_purpose


def stated(
    info: strawberry.Info, purpose: AccessPurpose | None = None, reference: str | None = None
) -> tuple[AccessPurpose | None, str | None]:
    context = info.context
    return purpose or context.purpose, reference if reference is not None else context.reference


def stated_purpose(
    info: strawberry.Info, purpose: AccessPurpose | None = None, reference: str | None = None
) -> Stated:
    """For resolvers that read persons before calling a service: the purpose is required."""
    return require_purpose(*stated(info, purpose, reference))
