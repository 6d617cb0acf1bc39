from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime, utcnow
from hub.records.enums import (
    ObjectionKind,
    RecordCategory,
    RecordStatus,
    SanctionKind,
    Severity,
    SubjectType,
)


def _enum(cls: type) -> SqlEnum:
    # Stored as plain strings (no native PostgreSQL enum): adding a value is then a code
    # change, not a blocking ALTER TYPE.
    return SqlEnum(cls, native_enum=False, length=32, validate_strings=True)


class CreditRecord(Base):
    __tablename__ = "credit_records"
    __table_args__ = (
        UniqueConstraint("source_agency_id", "stream", "source_ref"),
        Index("ix_credit_records_person", "person_id", "decided_at"),
        Index("ix_credit_records_organization", "organization_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # Which feed of the source agency the record came from ("push" for submitRecords; for a
    # record taken from another hub's feed, that hub and its stream: hub.feed.events); the
    # natural key is (agency, stream, source_ref).
    stream: Mapped[str] = mapped_column(String(64), default="push")
    source_ref: Mapped[str] = mapped_column(String(128))
    subject_type: Mapped[SubjectType] = mapped_column(_enum(SubjectType))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), nullable=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True
    )
    category: Mapped[RecordCategory] = mapped_column(_enum(RecordCategory))
    sanction_kind: Mapped[SanctionKind | None] = mapped_column(_enum(SanctionKind), nullable=True)
    severity: Mapped[Severity] = mapped_column(_enum(Severity))
    decided_at: Mapped[date] = mapped_column(Date)
    # Set by the source when it knows the end (a 失信被执行人 entry deleted, a period cut short).
    effective_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    legal_basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The source's own status: ACTIVE, CORRECTED or REVOKED (SOURCE_STATUSES).
    status: Mapped[RecordStatus] = mapped_column(_enum(RecordStatus))
    # Hub-owned state, kept by the objection and repair workflows and the publicity run; a
    # resubmission by the source never touches it. Read by every check, hence on the row.
    objection_kind: Mapped[ObjectionKind | None] = mapped_column(
        _enum(ObjectionKind), nullable=True
    )
    objection_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    repaired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    publicity_ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Hash of the submitted content: an identical resubmission changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RecordFields(Protocol):
    """A credit record's content and state, as reads use them: the entity above has them,
    and so does a plain row of `select(*RECORD_FIELDS)`. Checks and listings read records
    as such rows: they read thousands (a batch of 10,000 checks ~30,000 records) and change
    none, and a row costs a fraction of an ORM entity. The caller's row rules apply all the
    same: the select names the entity's columns (hub.access)."""

    id: int
    source_agency_id: int
    source_ref: str
    subject_type: SubjectType
    person_id: int | None
    organization_id: int | None
    category: RecordCategory
    sanction_kind: SanctionKind | None
    severity: Severity
    decided_at: date
    effective_until: date | None
    legal_basis: str | None
    summary: str
    detail: dict[str, Any] | None
    status: RecordStatus
    objection_kind: ObjectionKind | None
    objection_due: date | None
    repaired_on: date | None
    publicity_ended_on: date | None
    version: int


# The entity's columns named in RecordFields: `select(*RECORD_FIELDS)`.
RECORD_FIELDS: tuple[Any, ...] = tuple(
    getattr(CreditRecord, name) for name in RecordFields.__annotations__
)


UNPOSITIONED = "position IS NULL"


class RecordEvent(Base):
    """Append-only history of a record, and the change feed's outbox: an event is written
    in the transaction that made the change, and the sequencer (hub.feed.sequencer) gives it
    its feed `position` after that transaction has committed — or, for a bulk writer (an
    ingest's chunk, a lifecycle run's page), that transaction inserts it already positioned,
    under the feed head's lock, as its last statement. Ids are taken when a row is inserted,
    so they do not follow commit order; positions do."""

    __tablename__ = "record_events"
    __table_args__ = (
        Index("ux_record_events_position", "position", unique=True),
        # The sequencer's work list: small, as it holds only events not yet positioned.
        Index(
            "ix_record_events_unpositioned",
            "id",
            postgresql_where=text(UNPOSITIONED),
            sqlite_where=text(UNPOSITIONED),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[RecordStatus] = mapped_column(_enum(RecordStatus))
    # The record's content at this version (what changed can be derived by comparing).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Why, for the hub's own transitions (an objection's grounds, a repair decision's reason).
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
