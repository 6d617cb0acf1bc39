"""Who takes part in a workflow item, and the audit of the persons a workflow touches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hub.audit.purposes import AccessPurpose, Stated
from hub.audit.service import note_person_reads
from hub.auth.actor import Actor
from hub.auth.scopes import ADMIN, EVALUATION_MANAGE, EVALUATION_READ
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.records.enums import RecordStatus
from hub.records.models import CreditRecord
from hub.subjects.models import Person

MIN_REASON = 5
MAX_REASON = 2000


def agency_of(actor: Actor, action: str) -> int:
    if actor.agency_id is None:
        raise Forbidden(
            f"only an agency's client may {action}", field="agency", zh="只有登记在册的单位可以办理"
        )
    return actor.agency_id


# Any select, whatever it returns (a list of rows, or counts by level).
_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def oversees(actor: Actor) -> bool:
    """Evaluators and admins read every agency's warnings, commitments and clues; an
    agency reads its own."""
    return actor.has(ADMIN) or actor.has(EVALUATION_READ) or actor.has(EVALUATION_MANAGE)


def oversight_scope(
    query: _Query,
    actor: Actor,
    *owners: InstrumentedAttribute[int],
    agency_id: int | None = None,
) -> _Query:
    """An oversight list (warnings, commitments, clues) as `actor` may read it: every
    agency's for those who oversee, otherwise the rows naming its agency in one of `owners`;
    `agency_id` narrows it to one agency (the first owner column)."""
    if not oversees(actor):
        query = query.where(or_(*(owner == actor.agency_id for owner in owners)))
    if agency_id is not None:
        query = query.where(owners[0] == agency_id)
    return query


def is_party(actor: Actor, *agencies: int) -> bool:
    return actor.has(ADMIN) or actor.agency_id in agencies


def parties_only(
    query: Select[Any],
    actor: Actor,
    asker: InstrumentedAttribute[int],
    source: InstrumentedAttribute[int],
    to_my_records: bool | None,
) -> Select[Any]:
    """A workflow list as `actor` may read it: the items it filed (`asker`) or that concern
    its records (`source`), all for an admin; `to_my_records` narrows to one side."""
    if not actor.has(ADMIN):
        query = query.where(or_(asker == actor.agency_id, source == actor.agency_id))
    if to_my_records is True:
        query = query.where(source == actor.agency_id)
    elif to_my_records is False:
        query = query.where(asker == actor.agency_id)
    return query


def require_answerer(actor: Actor, source_agency_id: int, what: str) -> None:
    """Only the record's source agency answers (谁认定、谁处理); an admin may act for it."""
    if not (actor.has(ADMIN) or actor.agency_id == source_agency_id):
        raise Forbidden(
            f"only the agency that made the record answers this {what}",
            field="id",
            zh="只有作出该记录的单位可以处理",
        )


def clean_reason(text: str, field: str = "reason") -> str:
    cleaned = text.strip()
    if not MIN_REASON <= len(cleaned) <= MAX_REASON:
        raise InvalidInput(
            f"state the reason in {MIN_REASON} to {MAX_REASON} characters",
            field=field,
            zh=f"请填写理由，{MIN_REASON} 至 {MAX_REASON} 个字符",
        )
    return cleaned


async def visible_record(session: AsyncSession, record_id: int) -> CreditRecord:
    """The record as the caller's session may see it; one it may not see does not exist for
    it (the same answer as for an id nobody has)."""
    record = await session.scalar(select(CreditRecord).where(CreditRecord.id == record_id))
    if record is None:
        raise NotFound(f"no record {record_id} for this client", field="record", zh="没有这条记录")
    if record.status is not RecordStatus.ACTIVE:
        raise InvalidInput(
            f"the source has withdrawn this record ({record.status.value}): nothing to act on",
            field="record",
            zh="来源单位已撤销或更正该记录，无法办理",
        )
    return record


async def note_workflow_reads(
    session: AsyncSession,
    records: Iterable[CreditRecord],
    purpose: AccessPurpose,
    operation: str,
) -> None:
    """A workflow step on a person's record is an access to that person (PIPL): noted with
    the workflow as its purpose."""
    person_ids = {r.person_id for r in records if r.person_id is not None}
    if not person_ids:
        return
    hashes = await session.scalars(select(Person.id_hash).where(Person.id.in_(person_ids)))
    note_person_reads(session, Stated(purpose, None), operation, [(h, "1") for h in hashes])
