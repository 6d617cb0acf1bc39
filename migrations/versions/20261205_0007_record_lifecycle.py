"""record lifecycle

What the source owns and what the hub's workflows own are kept apart: `credit_records.status`
holds only the source's status (ACTIVE, CORRECTED, REVOKED); an open objection, a repair and
the end of publicity are hub-owned columns beside it, with their workflows in `objections`,
`repair_applications` and `evidence`. Every transition is a record event, now with a reason.

Existing rows move over: UNDER_OBJECTION becomes ACTIVE with an open DATA_ERROR objection
(filed, for want of a filer, in the name of the source agency, due today); REPAIRED becomes
ACTIVE repaired on its last update; EXPIRED becomes ACTIVE ended on its stated end or on its
last update. The downgrade puts the statuses back from those columns.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_records") as batch:
        batch.add_column(sa.Column("objection_kind", sa.String(32), nullable=True))
        batch.add_column(sa.Column("objection_due", sa.Date(), nullable=True))
        batch.add_column(sa.Column("repaired_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("publicity_ended_on", sa.Date(), nullable=True))
    with op.batch_alter_table("record_events") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    _create_objections()
    _create_repairs()
    _create_evidence()
    _move_hub_statuses()


def _create_objections() -> None:
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("credit_records.id"), nullable=False),
        sa.Column("source_agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("filed_by_agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("filed_by", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("examine_by", sa.Date(), nullable=False),
        sa.Column("correct_by", sa.Date(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
    )
    op.create_index("ix_objections_record", "objections", ["record_id", "state"])
    op.create_index("ix_objections_source", "objections", ["source_agency_id", "state"])
    op.create_index("ix_objections_filer", "objections", ["filed_by_agency_id", "state"])


def _create_repairs() -> None:
    op.create_table(
        "repair_applications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("credit_records.id"), nullable=False),
        sa.Column("source_agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column(
            "applicant_agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False
        ),
        sa.Column("applied_by", sa.String(64), nullable=True),
        sa.Column("commitment", sa.Text(), nullable=False),
        sa.Column("obligations_fulfilled", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decide_by", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_repair_applications_record", "repair_applications", ["record_id", "state"])
    op.create_index(
        "ix_repair_applications_source", "repair_applications", ["source_agency_id", "state"]
    )
    op.create_index(
        "ix_repair_applications_applicant",
        "repair_applications",
        ["applicant_agency_id", "state"],
    )


def _create_evidence() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("objection_id", sa.Integer(), sa.ForeignKey("objections.id"), nullable=True),
        sa.Column(
            "repair_id", sa.Integer(), sa.ForeignKey("repair_applications.id"), nullable=True
        ),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_evidence_objection_id", "evidence", ["objection_id"])
    op.create_index("ix_evidence_repair_id", "evidence", ["repair_id"])


def _move_hub_statuses() -> None:
    # The day of a timestamp: SQLite keeps it as text, which CAST would read as a number.
    updated_day = (
        "DATE(updated_at)"
        if op.get_bind().dialect.name == "sqlite"
        else ("CAST(updated_at AS DATE)")
    )
    op.execute(
        """INSERT INTO objections (record_id, source_agency_id, filed_by_agency_id, filed_by,
             kind, state, reason, filed_at, examine_by)
           SELECT id, source_agency_id, source_agency_id, 'migration 0007', 'DATA_ERROR',
             'OPEN', '迁移：记录原状态为异议处理中', CURRENT_TIMESTAMP, CURRENT_DATE
           FROM credit_records WHERE status = 'UNDER_OBJECTION'"""
    )
    op.execute(
        """UPDATE credit_records SET status = 'ACTIVE', objection_kind = 'DATA_ERROR',
             objection_due = CURRENT_DATE WHERE status = 'UNDER_OBJECTION'"""
    )
    op.execute(
        f"""UPDATE credit_records SET status = 'ACTIVE', repaired_on = {updated_day}
           WHERE status = 'REPAIRED'"""
    )
    op.execute(
        f"""UPDATE credit_records SET status = 'ACTIVE',
             effective_until = COALESCE(effective_until, {updated_day})
           WHERE status = 'EXPIRED'"""
    )


def downgrade() -> None:
    op.execute("UPDATE credit_records SET status = 'REPAIRED' WHERE repaired_on IS NOT NULL")
    op.execute(
        """UPDATE credit_records SET status = 'UNDER_OBJECTION'
           WHERE objection_kind IS NOT NULL AND status = 'ACTIVE'"""
    )
    op.drop_table("evidence")
    op.drop_table("repair_applications")
    op.drop_table("objections")
    with op.batch_alter_table("record_events") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("credit_records") as batch:
        batch.drop_column("publicity_ended_on")
        batch.drop_column("repaired_on")
        batch.drop_column("objection_due")
        batch.drop_column("objection_kind")
