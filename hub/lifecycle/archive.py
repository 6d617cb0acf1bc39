"""A subject's 诚信档案: each record with its whole history, the objections to it and the
repair applications for it (PIPL Art. 45: what the subject may see of its data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.objections.models import Objection
from hub.records.models import RecordEvent, RecordFields
from hub.repairs.models import RepairApplication
from hub.subjects.service import chunks


@dataclass
class RecordFile:
    record: RecordFields
    events: list[RecordEvent] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    repairs: list[RepairApplication] = field(default_factory=list)


async def files_of(session: AsyncSession, records: Sequence[RecordFields]) -> list[RecordFile]:
    """Three queries per chunk of records, whatever their number."""
    files = {r.id: RecordFile(r) for r in records}
    for part in chunks(sorted(files)):
        events = await session.scalars(
            select(RecordEvent)
            .where(RecordEvent.record_id.in_(part))
            .order_by(RecordEvent.at, RecordEvent.id)
        )
        for event in events:
            files[event.record_id].events.append(event)
        objections = await session.scalars(
            select(Objection).where(Objection.record_id.in_(part)).order_by(Objection.id)
        )
        for objection in objections:
            files[objection.record_id].objections.append(objection)
        repairs = await session.scalars(
            select(RepairApplication)
            .where(RepairApplication.record_id.in_(part))
            .order_by(RepairApplication.id)
        )
        for repair in repairs:
            files[repair.record_id].repairs.append(repair)
    return list(files.values())
