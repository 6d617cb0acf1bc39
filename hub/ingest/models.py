from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow


class IngestRun(Base):
    """One run of a connector: what it read, what it did, how it ended."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    source: Mapped[str] = mapped_column(Text)  # file path or URL, never credentials
    status: Mapped[str] = mapped_column(String(16))  # RUNNING, SUCCEEDED, FAILED
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. the encoding
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class IngestCursor(Base):
    """Where a stream of an agency's source stands; committed with the rows it covers."""

    __tablename__ = "ingest_cursors"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    connector: Mapped[str] = mapped_column(String(32), primary_key=True)
    stream: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class QuarantinedRow(Base):
    """A row the hub could not accept, kept whole with where it came from and why. The row
    may name a person, so it is kept encrypted; read it through `hub.ingest.quarantine`."""

    __tablename__ = "quarantined_rows"
    __table_args__ = (
        Index("ix_quarantined_rows_open", "resolved_at", "connector"),
        # Reading the same file again does not quarantine the same rows again.
        Index(
            "uq_quarantined_rows_open_fingerprint",
            "agency_id",
            "connector",
            "stream",
            "fingerprint",
            unique=True,
            postgresql_where=text("resolved_at IS NULL AND fingerprint IS NOT NULL"),
            sqlite_where=text("resolved_at IS NULL AND fingerprint IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    connector: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(Text)
    # PiiCipher (AES-GCM) of the JSON {"raw": source row, "record": mapped record or null}.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # What a listing may show: the source reference as records show it, the subject masked.
    source_ref: Mapped[str | None] = mapped_column(Text, nullable=True)
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Rows quarantined before revision 0005 hold their content here, in clear, until
    # `hub quarantine seal` moves it into `payload`. Nothing else writes these.
    clear_raw: Mapped[dict[str, Any] | None] = mapped_column(
        "raw", JSON(none_as_null=True), nullable=True
    )
    clear_record: Mapped[dict[str, Any] | None] = mapped_column(
        "record", JSON(none_as_null=True), nullable=True
    )
    # A keyed hash of where the row came from and what it held (hub.ingest.quarantine).
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    field: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # How it was resolved: "replayed" (accepted on a later try).
    resolution: Mapped[str | None] = mapped_column(String(32), nullable=True)
