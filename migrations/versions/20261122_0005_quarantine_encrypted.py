"""quarantine encrypted

Quarantined rows keep their content (the source's row and the record drafted from it, which
may name a person) encrypted in `payload`, and for listings only the source reference and the
subject masked. A migration cannot read the hub's keys: rows quarantined before this revision
keep their content in the clear columns `raw` and `record`, now nullable, until
`hub quarantine seal` encrypts them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quarantined_rows") as batch:
        batch.add_column(sa.Column("payload", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("source_ref", sa.Text(), nullable=True))
        batch.add_column(sa.Column("subject", sa.Text(), nullable=True))
        batch.alter_column("raw", existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    if not context.is_offline_mode():
        _refuse_to_drop_encrypted_rows()
    with op.batch_alter_table("quarantined_rows") as batch:
        batch.alter_column("raw", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("subject")
        batch.drop_column("source_ref")
        batch.drop_column("payload")


def _refuse_to_drop_encrypted_rows() -> None:
    # Revision 0004 holds quarantined rows only in clear, and decrypting needs the hub's keys.
    query = "SELECT count(*) FROM quarantined_rows WHERE payload IS NOT NULL"
    encrypted = op.get_bind().scalar(sa.text(query))
    if encrypted:
        raise RuntimeError(
            f"{encrypted} quarantined row(s) are encrypted, and revision 0004 can hold them only "
            "in clear, which a migration cannot produce. Stay at revision 0005, or delete them "
            "first if they may be lost: DELETE FROM quarantined_rows WHERE payload IS NOT NULL"
        )
