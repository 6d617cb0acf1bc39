"""quarantine fingerprint

A quarantined row carries a keyed fingerprint of where it came from and what it held, so that
reading the same file again does not quarantine the same bad rows again: among open rows a
fingerprint is unique per agency, connector and stream. A migration cannot read the hub's keys:
rows quarantined before this revision get their fingerprint from `hub quarantine seal`, which
also closes the duplicates among them (kept, resolved as duplicates, never deleted).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_AND_FINGERPRINTED = "resolved_at IS NULL AND fingerprint IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("quarantined_rows") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
    op.create_index(
        "uq_quarantined_rows_open_fingerprint",
        "quarantined_rows",
        ["agency_id", "connector", "stream", "fingerprint"],
        unique=True,
        postgresql_where=sa.text(OPEN_AND_FINGERPRINTED),
        sqlite_where=sa.text(OPEN_AND_FINGERPRINTED),
    )


def downgrade() -> None:
    op.drop_index("uq_quarantined_rows_open_fingerprint", table_name="quarantined_rows")
    with op.batch_alter_table("quarantined_rows") as batch:
        batch.drop_column("fingerprint")
