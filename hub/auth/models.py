from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow


class Client(Base):
    """An agency system holding OAuth 2.0 client credentials. The secret is stored hashed."""

    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    scopes: Mapped[str] = mapped_column(Text)
    secret_hash: Mapped[str] = mapped_column(String(255))
    # 行政区划 prefix the client may read subjects of (see hub.access.rules); None: all.
    jurisdiction: Mapped[str | None] = mapped_column(String(6), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class RateLimitState(Base):
    """A caller's rate limit, shared by every hub process (HUB_RATE_LIMIT_STORE=database): the
    theoretical arrival time of its next request (GCRA, seconds since the epoch). Read and
    written only by hub.web.ratelimit, in one upsert per request."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Float)
