"""The flush guard: in a session bound to a caller, no flush may add, change or delete a
record of another agency, whatever way the object reached the session."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, update
from support import make_agency, make_uscc

from hub.access.enforcement import bind
from hub.auth.actor import Actor
from hub.errors import Forbidden
from hub.records.drafts import RecordDraft, SubjectDraft
from hub.records.enums import RecordCategory, RecordStatus, Severity
from hub.records.models import CreditRecord
from hub.records.service import submit_records

WRITER = frozenset({"records:read", "records:write"})


@dataclass
class Agencies:
    a: int
    b: int


def arrears(source_ref: str) -> RecordDraft:
    return RecordDraft(
        source_ref=source_ref,
        category=RecordCategory.PAYMENT_ARREARS,
        severity=Severity.GENERAL,
        subject=SubjectDraft(uscc=make_uscc(region="320100", seed=41), name="南京市某局"),
        decided_at=date(2025, 3, 1),
        summary="拖欠中小企业货款",
    )


@pytest.fixture
async def agencies(db, pii):
    """A owns A-1, B owns B-1; both ACTIVE, about the same organization."""
    async with db.sessions.begin() as session:
        a = await make_agency(session, name="A局", seed=81)
        b = await make_agency(session, name="B局", seed=82)
        for agency, ref in ((a, "A-1"), (b, "B-1")):
            await submit_records(
                session, pii, agency_id=agency.id, drafts=[arrears(ref)], actor=None
            )
    return Agencies(a.id, b.id)


def actor_of(agency_id: int, scopes: frozenset[str] = WRITER) -> Actor:
    return Actor(client_id=f"c_{agency_id}", agency_id=agency_id, scopes=scopes)


async def record(session, source_ref: str) -> CreditRecord:
    return await session.scalar(select(CreditRecord).where(CreditRecord.source_ref == source_ref))


async def test_changing_another_agencys_record_it_can_read_is_forbidden(db, agencies):
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        theirs = await record(session, "B-1")
        theirs.summary = "篡改内容"
        with pytest.raises(Forbidden) as refused:
            await session.flush()
    assert refused.value.field == "records"


async def test_revoking_another_agencys_record_is_forbidden(db, agencies):
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        (await record(session, "B-1")).status = RecordStatus.REVOKED
        with pytest.raises(Forbidden):
            await session.flush()


async def test_deleting_another_agencys_record_is_forbidden(db, agencies):
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        await session.delete(await record(session, "B-1"))
        with pytest.raises(Forbidden):
            await session.flush()


async def test_adding_a_record_in_another_agencys_name_is_forbidden(db, agencies):
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        mine = await record(session, "A-1")
        session.add(
            CreditRecord(
                source_agency_id=agencies.b,
                source_ref="B-2",
                subject_type=mine.subject_type,
                organization_id=mine.organization_id,
                category=mine.category,
                severity=mine.severity,
                decided_at=mine.decided_at,
                summary="以B局名义写入",
                status=RecordStatus.ACTIVE,
                content_hash=mine.content_hash,
            )
        )
        with pytest.raises(Forbidden):
            await session.flush()


async def test_submitting_records_in_another_agencys_name_is_forbidden(db, pii, agencies):
    # New records are written as rows, past the flush: the same rule holds for them.
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        with pytest.raises(Forbidden) as refused:
            await submit_records(
                session, pii, agency_id=agencies.b, drafts=[arrears("B-2")], actor="c_a"
            )
    assert refused.value.field == "records"
    async with db.sessions() as session:
        assert await record(session, "B-2") is None
        bind(session, actor_of(agencies.a))
        await submit_records(
            session, pii, agency_id=agencies.a, drafts=[arrears("A-2")], actor="c_a"
        )
        assert (await record(session, "A-2")).source_agency_id == agencies.a


async def test_merging_a_copy_of_another_agencys_record_is_forbidden(db, agencies):
    async with db.sessions() as unbound:
        copy = await record(unbound, "B-1")
    copy.summary = "篡改内容"
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        await session.merge(copy)
        with pytest.raises(Forbidden):
            await session.flush()


async def test_handing_its_own_record_to_another_agency_is_forbidden(db, agencies):
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        (await record(session, "A-1")).source_agency_id = agencies.b
        with pytest.raises(Forbidden):
            await session.flush()


async def test_taking_over_another_agencys_record_is_forbidden(db, agencies):
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        (await record(session, "B-1")).source_agency_id = agencies.a
        with pytest.raises(Forbidden):
            await session.flush()


async def test_an_update_statement_leaves_another_agencys_record_alone(db, agencies):
    async with db.sessions() as session:
        bind(session, actor_of(agencies.a))
        with suppress(Forbidden):
            await session.execute(
                update(CreditRecord)
                .where(CreditRecord.source_ref == "B-1")
                .values(status=RecordStatus.REVOKED)
            )
            await session.commit()
    async with db.sessions() as session:
        assert (await record(session, "B-1")).status is RecordStatus.ACTIVE


async def test_an_agency_changes_its_own_record(db, agencies):
    async with db.sessions.begin() as session:
        bind(session, actor_of(agencies.a))
        (await record(session, "A-1")).summary = "更正金额"
    async with db.sessions() as session:
        assert (await record(session, "A-1")).summary == "更正金额"


async def test_an_admin_changes_any_agencys_record(db, agencies):
    async with db.sessions.begin() as session:
        bind(session, actor_of(agencies.a, WRITER | {"admin"}))
        (await record(session, "B-1")).status = RecordStatus.REVOKED
    async with db.sessions() as session:
        assert (await record(session, "B-1")).status is RecordStatus.REVOKED
