"""evaluation, warnings, commitments and clues

`commitments` (承诺台账), `clues` (失信线索, the reporter's contact encrypted), `warnings`
(监测预警, one per rule and occasion), `evaluation_inputs` (values evaluators enter for the
indicators the hub cannot compute) and `evaluation_snapshots` (published rounds).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def _agency() -> sa.Column:
    return sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), primary_key=True),
        _agency(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("counterparty", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=True),
        sa.Column("recorded_at", _AT, nullable=False),
        sa.Column("fulfilled_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("reported_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_commitments_agency", "commitments", ["agency_id", "state"])
    op.create_index("ix_commitments_due", "commitments", ["state", "due_on"])
    op.create_table(
        "clues",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        _agency(),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reporter_contact_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("decide_by", sa.Date(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("intake_agency_id", sa.Integer(), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=True),
        sa.Column("received_at", _AT, nullable=False),
        sa.Column("decided_at", _AT, nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_clues_agency", "clues", ["agency_id", "state"])
    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        _agency(),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("raised_at", _AT, nullable=False),
        sa.Column("acknowledged_at", _AT, nullable=True),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.Column("closed_at", _AT, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("key", name=op.f("uq_warnings_key")),
    )
    op.create_index("ix_warnings_agency", "warnings", ["agency_id", "state"])
    op.create_table(
        "evaluation_inputs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("indicator_id", sa.String(16), nullable=False),
        _agency(),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("entered_at", _AT, nullable=False),
        sa.UniqueConstraint(
            "period",
            "version",
            "indicator_id",
            "agency_id",
            name=op.f("uq_evaluation_inputs_period_version_indicator_id_agency_id"),
        ),
    )
    op.create_table(
        "evaluation_snapshots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("published_at", _AT, nullable=False),
        sa.UniqueConstraint(
            "period", "level", "version", name=op.f("uq_evaluation_snapshots_period_level_version")
        ),
    )


def downgrade() -> None:
    op.drop_table("evaluation_snapshots")
    op.drop_table("evaluation_inputs")
    op.drop_index("ix_warnings_agency", table_name="warnings")
    op.drop_table("warnings")
    op.drop_index("ix_clues_agency", table_name="clues")
    op.drop_table("clues")
    op.drop_index("ix_commitments_due", table_name="commitments")
    op.drop_index("ix_commitments_agency", table_name="commitments")
    op.drop_table("commitments")
