from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Enum as SqlEnum
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow


class AgencyLevel(str, Enum):
    PROVINCE = "PROVINCE"
    CITY = "CITY"
    COUNTY = "COUNTY"


class AgencyFamily(str, Enum):
    DISCIPLINE = "DISCIPLINE"
    COURT = "COURT"
    HR = "HR"
    FINANCE = "FINANCE"
    OTHER = "OTHER"


class Agency(Base):
    """A participant: provides records, consumes checks, or both."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))
    level: Mapped[AgencyLevel] = mapped_column(SqlEnum(AgencyLevel, native_enum=False, length=16))
    family: Mapped[AgencyFamily] = mapped_column(
        SqlEnum(AgencyFamily, native_enum=False, length=16)
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SourceFeed(Base):
    """When an agency's feed last delivered successfully: a check's `coverage` says, per
    source family, how current the data it judged was."""

    __tablename__ = "source_feeds"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    stream: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(UtcDateTime())
