from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime


class AccessColumns:
    """What is known of one access, sealed or not. No foreign keys: the trail must outlive
    the clients and agencies it names."""

    at: Mapped[datetime] = mapped_column(UtcDateTime())
    request_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    agency_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    operation: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    # Keyed hash of the ID number for persons (never the number), the USCC for bodies.
    subject_key: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    result: Mapped[str] = mapped_column(String(200))


class AuditEvent(AccessColumns, Base):
    """One sealed access to personal data or one check. Append-only: rows are written by
    hub.audit.sealing and removed only by retention (prune), oldest first."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_key", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PendingAccess(AccessColumns, Base):
    """An access recorded in the transaction that made it, waiting to be sealed into the
    chain (hub.audit.sealing). Recording takes no lock, so requests never queue for the
    chain; the sealer moves these rows into audit_events in batches, moments later."""

    __tablename__ = "audit_pending"
    __table_args__ = (Index("ix_audit_pending_subject_key", "subject_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class AuditHead(Base):
    """The chain's one head row (id 1): its sealed range, under the chain key's MAC. Every
    append locks this row, which orders concurrent appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    first_prev_hash: Mapped[str] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
