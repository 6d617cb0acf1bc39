"""One request's session as one caller: every statement filtered for the caller (hub.access),
every read of a person noted for the audit trail, committed at the end — or rolled back when
something unexpected failed — and the sealer (the sequencer) woken when the commit recorded
accesses (wrote record events)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from hub.access.enforcement import bind
from hub.audit.service import Caller, open_trail, recorded_any
from hub.auth.actor import Actor
from hub.auth.service import actor_for_token
from hub.auth.tokens import TokenClaims
from hub.feed.sequencer import wrote_events
from hub.web.middleware import REQUEST_ID
from hub.web.state import WebState

# A caller without a token: it may only verify reports.
ANONYMOUS = Actor(client_id=None, agency_id=None, scopes=frozenset())


@dataclass
class CallerSession:
    session: AsyncSession
    actor: Actor
    request_id: str
    # Set by the endpoint when the work failed unexpectedly: nothing of it is kept.
    failed: bool = False


@contextlib.asynccontextmanager
async def caller_session(
    web: WebState, conn: HTTPConnection, claims: TokenClaims | None
) -> AsyncIterator[CallerSession]:
    """Raises Unauthenticated when the token's client is unknown or revoked."""
    request_id: str = conn.scope.get("state", {}).get(REQUEST_ID) or ""
    async with web.runtime.sessions() as session:
        actor = await actor_for_token(session, claims) if claims else ANONYMOUS
        async with _as_caller(web, session, actor, request_id) as current:
            yield current


@contextlib.asynccontextmanager
async def actor_session(
    web: WebState, actor: Actor, request_id: str
) -> AsyncIterator[CallerSession]:
    """The same for an actor known otherwise: a person signed in to the console, or a
    console job working for them."""
    async with (
        web.runtime.sessions() as session,
        _as_caller(web, session, actor, request_id) as current,
    ):
        yield current


@contextlib.asynccontextmanager
async def _as_caller(
    web: WebState, session: AsyncSession, actor: Actor, request_id: str
) -> AsyncIterator[CallerSession]:
    bind(session, actor)
    open_trail(session, Caller(actor.principal, actor.agency_id, request_id))
    current = CallerSession(session, actor, request_id)
    yield current
    if current.failed:
        await session.rollback()
        return
    # The accesses it noted are recorded by this same commit; seal them soon.
    await session.commit()
    if recorded_any(session):
        web.runtime.sealer.wake()
    if wrote_events(session):
        web.runtime.sequencer.wake()
