"""From noted accesses to sealed chain rows, in two steps.

1. *Record*: when an audited session commits, what it noted is inserted into audit_pending
   in that same transaction (hub.audit.service's `before_commit` hook, so no edge can
   forget it). The read and its record commit together or not at all, and no lock is
   taken: requests never queue for the chain.
2. *Seal*: a sealer moves pending rows into audit_events in batches, locking the chain head
   once per batch. The hub runs one in the background (woken after each request that
   recorded something, and every few seconds for rows other processes left); the CLI seals
   right after its command; `hub audit verify` seals before it walks."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import RowMapping, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.chain import SealedRow, seal, sealed_head
from hub.audit.models import AuditEvent, AuditHead, PendingAccess
from hub.audit.service import HEAD_ID
from hub.db.background import Rounds

BATCH = 2000
_COLUMNS = [c.key for c in PendingAccess.__table__.columns if c.key != "id"]


async def seal_batch(session: AsyncSession, key: bytes, limit: int = BATCH) -> int:
    """Seals up to `limit` pending rows, oldest first. Returns how many."""
    if await session.scalar(select(PendingAccess.id).limit(1)) is None:
        return 0  # nothing to do: no lock taken
    # The first write is to the head row: PostgreSQL locks it until commit, and SQLite takes
    # its write lock before anything is read, so no two sealers extend the same head.
    locked = await session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_seq=AuditHead.last_seq)
        .returning(
            AuditHead.first_seq, AuditHead.first_prev_hash, AuditHead.last_seq, AuditHead.last_hash
        )
    )
    first_seq, first_prev_hash, last_seq, prev = locked.one()
    # Plain rows, not ORM objects: the sealer runs on the hub's event loop, and thousands
    # of instrumented objects per batch would be built only to be taken apart again.
    pending = (
        (
            await session.execute(
                select(PendingAccess.__table__).order_by(PendingAccess.id).limit(limit)
            )
        )
        .mappings()
        .all()
    )
    if not pending:
        return 0
    rows = _chained(key, pending, last_seq, prev)
    await session.execute(insert(AuditEvent), rows)
    await session.execute(
        delete(PendingAccess).where(PendingAccess.id.in_([p["id"] for p in pending]))
    )
    head = sealed_head(key, first_seq, first_prev_hash, rows[-1]["seq"], rows[-1]["hash"])
    await session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_seq=head.last_seq, last_hash=head.last_hash, mac=head.mac)
    )
    return len(pending)


def _chained(
    key: bytes, pending: Sequence[RowMapping], last_seq: int, prev: str
) -> list[dict[str, Any]]:
    """The audit_events rows for `pending`, each sealed over the one before."""
    rows: list[dict[str, Any]] = []
    for offset, item in enumerate(pending, start=1):
        row = SimpleNamespace(
            **{name: item[name] for name in _COLUMNS}, seq=last_seq + offset, prev_hash=prev
        )
        row.hash = prev = seal(key, row.prev_hash, cast(SealedRow, row))
        rows.append(vars(row))
    return rows


class Sealer(Rounds):
    """Seals pending accesses in the background of one hub process."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key: bytes, interval: float = 5.0
    ) -> None:
        async def batch(session: AsyncSession) -> int:
            return await seal_batch(session, key)

        super().__init__(
            sessions, batch, batch_size=BATCH, what="sealing audit rows", interval=interval
        )

    async def seal_all(self) -> int:
        """Seals everything pending now; one batch per transaction."""
        return await self.drain()
