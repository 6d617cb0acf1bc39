"""lifecycle runs

`lifecycle_runs`: one row per day whose lifecycle run finished, so a starting server can
skip its own run when today's is done (hub.runtime.note_publicity_at_start).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lifecycle_runs",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publicity_ended", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lifecycle_runs")
