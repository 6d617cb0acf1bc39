"""Source freshness: when each agency's feed last delivered, and the per-family coverage a
check reports."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency, AgencyFamily, SourceFeed
from hub.db.base import utcnow


async def mark_delivered(
    session: AsyncSession, agency_id: int, stream: str, at: datetime | None = None
) -> None:
    await session.merge(
        SourceFeed(agency_id=agency_id, stream=stream, last_success_at=at or utcnow())
    )


async def coverage(session: AsyncSession) -> dict[AgencyFamily, datetime | None]:
    """Per source family, the latest successful delivery; None for a family never heard from."""
    rows = await session.execute(
        select(Agency.family, func.max(SourceFeed.last_success_at))
        .join(SourceFeed, SourceFeed.agency_id == Agency.id)
        .group_by(Agency.family)
    )
    latest = {family: at for family, at in rows}
    return {
        family: latest.get(family) for family in AgencyFamily if family is not AgencyFamily.OTHER
    }


class CoverageCache:
    """Coverage changes only when a feed delivers, yet every check reports it: a process
    keeps it for a few seconds. A cached time can only be older than the truth, so a check
    never claims data fresher than it had."""

    def __init__(self, ttl_seconds: float = 5.0) -> None:
        self._ttl = ttl_seconds
        self._value: dict[AgencyFamily, datetime | None] | None = None
        self._expires = 0.0

    async def __call__(self, session: AsyncSession) -> dict[AgencyFamily, datetime | None]:
        now = time.monotonic()
        if self._value is None or now >= self._expires:
            self._value = await coverage(session)
            self._expires = now + self._ttl
        return self._value
