from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow


class LifecycleRun(Base):
    """A day whose publicity pass went through to the end (hub.runtime.note_publicity, the
    first half of a lifecycle run). A starting server skips its own run when today's is
    done: on millions of records the pass is minutes of CPU, and ends are counted in days."""

    __tablename__ = "lifecycle_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    publicity_ended: Mapped[int] = mapped_column(Integer, default=0)
