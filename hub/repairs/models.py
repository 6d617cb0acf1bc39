"""A 信用修复 application: made for the subject, decided by the agency that made the finding
(谁认定、谁修复, 令2025年第36号)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow
from hub.records.enums import RepairState


class RepairApplication(Base):
    __tablename__ = "repair_applications"
    __table_args__ = (
        Index("ix_repair_applications_record", "record_id", "state"),
        Index("ix_repair_applications_source", "source_agency_id", "state"),
        Index("ix_repair_applications_applicant", "applicant_agency_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"))
    source_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    applicant_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    applied_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The public 信用承诺 the subject makes, and its statement that obligations are met.
    commitment: Mapped[str] = mapped_column(Text)
    obligations_fulfilled: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[RepairState] = mapped_column(
        SqlEnum(RepairState, native_enum=False, length=32, validate_strings=True)
    )
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decide_by: Mapped[date] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
