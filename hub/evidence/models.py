"""Evidence attached to an objection or a repair application: kept encrypted (it may show a
person), served only to the agency that filed it and the record's source agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int | None] = mapped_column(
        ForeignKey("objections.id"), nullable=True, index=True
    )
    repair_id: Mapped[int | None] = mapped_column(
        ForeignKey("repair_applications.id"), nullable=True, index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)  # PiiCipher.encrypt_bytes
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
