"""The per-request context: one session (one transaction), the caller, per-request loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.feeds import CoverageCache
from hub.audit.purposes import AccessPurpose
from hub.audit.sealing import Sealer
from hub.auth.actor import Actor
from hub.checks.rules import RuleSet
from hub.keys import Keys
from hub.subjects.pii import PiiCipher

if TYPE_CHECKING:
    from schema.loaders import Loaders


@dataclass
class Services:
    """What the application hands every request: built once at start-up."""

    pii: PiiCipher
    ruleset: RuleSet
    keys: Keys
    coverage: CoverageCache
    sealer: Sealer


@dataclass
class HubContext:
    session: AsyncSession
    actor: Actor
    services: Services
    request_id: str
    # What the caller stated for this request's reads of persons (X-Hub-Purpose and
    # X-Hub-Reference); a field's own `purpose` argument takes precedence.
    purpose: AccessPurpose | None = None
    reference: str | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        from schema.loaders import Loaders

        self.loaders = Loaders(self.session)
