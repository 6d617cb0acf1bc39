"""change feed

`record_events` becomes the change feed's outbox: each event gets a feed `position` once the
transaction that wrote it has committed (hub.feed.sequencer), so positions follow commit order
where ids do not. `feed_head` holds the last position handed out. Events already stored are
numbered here in id order: before this revision nothing read them concurrently.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPOSITIONED = "position IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("record_events") as batch:
        batch.add_column(sa.Column("position", sa.BigInteger(), nullable=True))
    # UPDATE … FROM: PostgreSQL, and SQLite since 3.33.
    op.execute(
        "UPDATE record_events SET position = numbered.n FROM (SELECT id, "
        "row_number() OVER (ORDER BY id) AS n FROM record_events) AS numbered "
        "WHERE record_events.id = numbered.id"
    )
    op.create_index("ux_record_events_position", "record_events", ["position"], unique=True)
    op.create_index(
        "ix_record_events_unpositioned",
        "record_events",
        ["id"],
        postgresql_where=sa.text(UNPOSITIONED),
        sqlite_where=sa.text(UNPOSITIONED),
    )
    head = op.create_table(
        "feed_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_head")),
    )
    op.bulk_insert(head, [{"id": 1, "last_position": 0}])
    op.execute("UPDATE feed_head SET last_position = (SELECT count(*) FROM record_events)")


def downgrade() -> None:
    op.drop_table("feed_head")
    op.drop_index("ix_record_events_unpositioned", table_name="record_events")
    op.drop_index("ux_record_events_position", table_name="record_events")
    with op.batch_alter_table("record_events") as batch:
        batch.drop_column("position")
