"""What evaluators keep: values of the indicators the hub cannot compute (entered with who and
when), and the snapshots of published rounds (the result as it was published, for good)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow


class ManualValue(Base):
    __tablename__ = "evaluation_inputs"
    __table_args__ = (UniqueConstraint("period", "version", "indicator_id", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(32))  # of the indicator system
    indicator_id: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # The fraction of the indicator achieved, 0..1 (entered as a percentage).
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class EvaluationSnapshot(Base):
    __tablename__ = "evaluation_snapshots"
    __table_args__ = (UniqueConstraint("period", "level", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
