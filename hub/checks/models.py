from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from hub.checks.purposes import Purpose, Verdict
from hub.db.base import Base, UtcDateTime, utcnow
from hub.records.enums import SubjectType


class Check(Base):
    """A stored 信用核查: who asked, about whom, why, and what the hub answered."""

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_subject", "subject_key", "checked_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str | None] = mapped_column(ForeignKey("clients.id"), nullable=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    # A person who checked from the console (`user:<login>`); None for a client or the CLI.
    checked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    purpose: Mapped[Purpose] = mapped_column(SqlEnum(Purpose, native_enum=False, length=16))
    reference: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[SubjectType] = mapped_column(
        SqlEnum(SubjectType, native_enum=False, length=16)
    )
    # Keyed hash of the ID number, or the USCC: the subject is findable without clear PII.
    subject_key: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    verdict: Mapped[Verdict] = mapped_column(SqlEnum(Verdict, native_enum=False, length=16))
    ruleset_version: Mapped[str] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """The values of a new check row. A batch of 10,000 checks is inserted in bulk from these;
    building as many ORM objects would cost more than answering the checks."""

    id: str
    client_id: str | None
    agency_id: int | None
    checked_by: str | None
    purpose: Purpose
    reference: str
    subject_type: SubjectType
    subject_key: str
    as_of: date
    verdict: Verdict
    ruleset_version: str
    result: dict[str, Any]
    checked_at: datetime

    def row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
