"""The per-request context: one session (one transaction), the caller, the runtime, and
per-request loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.purposes import AccessPurpose
from hub.auth.actor import Actor
from hub.runtime import Runtime

if TYPE_CHECKING:
    from schema.loaders import Loaders


@dataclass
class HubContext:
    session: AsyncSession
    actor: Actor
    runtime: Runtime
    request_id: str
    # What the caller stated for this request's reads of persons (X-Hub-Purpose and
    # X-Hub-Reference); a field's own `purpose` argument takes precedence.
    purpose: AccessPurpose | None = None
    reference: str | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        from schema.loaders import Loaders

        self.loaders = Loaders(self.session)
