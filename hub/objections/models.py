"""An objection (异议) to a record: filed by an agency for the subject, answered by the
record's source agency within deadlines in working days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow
from hub.records.enums import ObjectionKind, ObjectionState


def _enum(cls: type) -> SqlEnum:
    return SqlEnum(cls, native_enum=False, length=32, validate_strings=True)


class Objection(Base):
    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_record", "record_id", "state"),
        Index("ix_objections_source", "source_agency_id", "state"),
        Index("ix_objections_filer", "filed_by_agency_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"))
    # The record's source agency, which answers (谁认定、谁处理): kept for its queue.
    source_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    filed_by_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    filed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # client or user
    kind: Mapped[ObjectionKind] = mapped_column(_enum(ObjectionKind))
    state: Mapped[ObjectionState] = mapped_column(_enum(ObjectionState))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Deadlines, in working days from filing and from upholding (hub.lifecycle.deadlines).
    examine_by: Mapped[date] = mapped_column(Date)
    correct_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
