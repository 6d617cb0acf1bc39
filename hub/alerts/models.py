"""A warning (监测预警) raised by a rule (alerts/rules.toml) for an owner agency: open until
the agency acknowledges it and someone closes it with a note. One warning per `key` (the
rule and what it saw), so a daily scan never raises the same warning twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from hub.alerts.states import WarningLevel, WarningState
from hub.db.base import Base, UtcDateTime, utcnow


def _enum(cls: type) -> SqlEnum:
    return SqlEnum(cls, native_enum=False, length=32, validate_strings=True)


class Alert(Base):
    __tablename__ = "warnings"
    __table_args__ = (Index("ix_warnings_agency", "agency_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    rule: Mapped[str] = mapped_column(String(64))
    level: Mapped[WarningLevel] = mapped_column(_enum(WarningLevel))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    message: Mapped[str] = mapped_column(Text)
    # What it points at: {"record": id} / {"objection": id} / {"commitment": id} / {"feed": …}
    refs: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[WarningState] = mapped_column(_enum(WarningState))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
