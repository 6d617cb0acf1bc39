"""A government commitment (承诺) in the 承诺台账: made by an agency to a counterparty, due on
a day, reported fulfilled with evidence — or, once the competent agency confirms it broken,
the basis of a PROMISE_BROKEN record that the agency submits itself (never automatic)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow
from hub.records.enums import LabelledEnum


class CommitmentKind(LabelledEnum):
    INVESTMENT = ("INVESTMENT", "招商引资承诺")
    PPP = ("PPP", "政府和社会资本合作")
    GOVERNMENT_PLEDGE = ("GOVERNMENT_PLEDGE", "政府承诺事项")
    CREDIT_PLEDGE = ("CREDIT_PLEDGE", "信用承诺书")


class CommitmentState(LabelledEnum):
    OPEN = ("OPEN", "履行中")
    FULFILLED = ("FULFILLED", "已兑现")


def _enum(cls: type) -> SqlEnum:
    return SqlEnum(cls, native_enum=False, length=32, validate_strings=True)


class Commitment(Base):
    __tablename__ = "commitments"
    __table_args__ = (
        Index("ix_commitments_agency", "agency_id", "state"),
        Index("ix_commitments_due", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[CommitmentKind] = mapped_column(_enum(CommitmentKind))
    counterparty: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    made_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[CommitmentState] = mapped_column(_enum(CommitmentState))
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    fulfilled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # What shows it was kept (a payment voucher's number, an acceptance report …).
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    reported_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
