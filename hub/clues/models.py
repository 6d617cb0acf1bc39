"""A clue (失信线索) from the 12345 hotline or the public: routed to the competent agency,
verified or dismissed with reasons within a deadline. A verified clue becomes a record only
when that agency submits one. The reporter's contact is personal information: encrypted
like an ID number, shown only to a caller with the PII scope."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow
from hub.records.enums import LabelledEnum


class ClueChannel(LabelledEnum):
    HOTLINE_12345 = ("HOTLINE_12345", "12345热线")
    PUBLIC = ("PUBLIC", "群众举报")
    MEDIA = ("MEDIA", "媒体曝光")
    INSPECTION = ("INSPECTION", "监督检查")


class ClueState(LabelledEnum):
    OPEN = ("OPEN", "待核查")
    VERIFIED = ("VERIFIED", "查证属实")
    DISMISSED = ("DISMISSED", "不予采信")


def _enum(cls: type) -> SqlEnum:
    return SqlEnum(cls, native_enum=False, length=32, validate_strings=True)


class Clue(Base):
    __tablename__ = "clues"
    __table_args__ = (Index("ix_clues_agency", "agency_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[ClueChannel] = mapped_column(_enum(ClueChannel))
    # The competent agency the clue is routed to (the agency it concerns).
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    content: Mapped[str] = mapped_column(Text)
    reporter_contact_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    received_on: Mapped[date] = mapped_column(Date)
    decide_by: Mapped[date] = mapped_column(Date)
    state: Mapped[ClueState] = mapped_column(_enum(ClueState))
    # Who took it in (the hotline's agency sees what it took in, without deciding it).
    intake_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    received_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
