"""失信线索: taken in from the 12345 hotline or the public by a client with clues:manage (the
hotline's system, a supervision office), routed to the competent agency by its USCC, and
verified or dismissed there with reasons before the deadline. Verifying a clue creates no
record: the agency submits one through submitRecords if the facts warrant it.

The reporter's contact is a natural person's data: stored encrypted, shown in clear only to
a caller with records:read:pii, and each such read is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.agencies.models import Agency
from hub.audit.purposes import AccessPurpose, Stated
from hub.audit.service import note_person_reads
from hub.auth.actor import Actor
from hub.auth.scopes import ADMIN, RECORDS_READ_PII
from hub.clues.models import Clue, ClueChannel, ClueState
from hub.db.base import utcnow
from hub.db.paging import Page, page_of
from hub.errors import Conflict, InvalidInput, NotFound
from hub.lifecycle.access import agency_of, clean_reason, oversees, oversight_scope
from hub.lifecycle.calendar import WorkCalendar
from hub.lifecycle.deadlines import deadlines
from hub.subjects.identifiers import parse_uscc
from hub.subjects.pii import PiiCipher

MAX_CONTENT = 4000
MAX_CONTACT = 100


@dataclass(frozen=True)
class ClueReport:
    channel: ClueChannel
    agency_uscc: str
    content: str
    reporter_contact: str | None = None


def overdue(clue: Clue, today: date) -> bool:
    return clue.state is ClueState.OPEN and clue.decide_by < today


async def report_clue(
    session: AsyncSession,
    pii: PiiCipher,
    calendar: WorkCalendar,
    actor: Actor,
    report: ClueReport,
    today: date,
) -> Clue:
    intake = agency_of(actor, "take in clues")
    uscc = parse_uscc(report.agency_uscc, field="agency").code
    agency = await session.scalar(select(Agency).where(Agency.uscc == uscc))
    if agency is None:
        raise NotFound(
            "no participating agency has this USCC: route the clue to one that does",
            field="agency",
            zh="该统一社会信用代码不是本平台的参与单位，无法转办",
        )
    content = report.content.strip()
    if not 10 <= len(content) <= MAX_CONTENT:
        raise InvalidInput(
            f"describe the clue in 10 to {MAX_CONTENT} characters",
            field="content",
            zh=f"线索内容应为 10 至 {MAX_CONTENT} 个字符",
        )
    contact = (report.reporter_contact or "").strip()
    if len(contact) > MAX_CONTACT:
        raise InvalidInput(f"at most {MAX_CONTACT} characters", field="reporterContact")
    clue = Clue(
        channel=report.channel,
        agency_id=agency.id,
        content=content,
        reporter_contact_cipher=pii.encrypt(contact) if contact else None,
        received_on=today,
        decide_by=deadlines().clue_decide_by(calendar, today),
        state=ClueState.OPEN,
        intake_agency_id=intake,
        received_by=actor.principal,
    )
    session.add(clue)
    await session.flush()
    return clue


async def decide_clue(
    session: AsyncSession, actor: Actor, clue_id: int, verified: bool, reason: str
) -> Clue:
    clue = await visible_clue(session, actor, clue_id)
    if not (actor.has(ADMIN) or actor.agency_id == clue.agency_id):
        raise NotFound(
            f"no clue {clue_id} routed to this agency", field="id", zh="没有转办本单位的这条线索"
        )
    if clue.state is not ClueState.OPEN:
        raise Conflict(
            f"clue {clue_id} is already decided ({clue.state.value})",
            field="id",
            zh=f"该线索已办结（{clue.state.label}）",
            extra={"state": clue.state.value},
        )
    clue.reason = clean_reason(reason)
    clue.state = ClueState.VERIFIED if verified else ClueState.DISMISSED
    clue.decided_at = utcnow()
    clue.decided_by = actor.principal
    return clue


def _sees(actor: Actor, clue: Clue) -> bool:
    return oversees(actor) or actor.agency_id in (clue.agency_id, clue.intake_agency_id)


async def visible_clue(session: AsyncSession, actor: Actor, clue_id: int) -> Clue:
    clue = await session.get(Clue, clue_id)
    if clue is None or not _sees(actor, clue):
        raise NotFound(f"no clue {clue_id} for this client", field="id", zh="没有这条线索")
    return clue


def reporter_contact(session: AsyncSession, pii: PiiCipher, actor: Actor, clue: Clue) -> str | None:
    """In clear for a PII-scoped caller (that read is audited); masked for anyone else."""
    if clue.reporter_contact_cipher is None:
        return None
    if not actor.has(RECORDS_READ_PII):
        return "***"
    contact = pii.decrypt(clue.reporter_contact_cipher)
    stated = Stated(AccessPurpose.SUPERVISION, f"clue {clue.id}")
    note_person_reads(
        session, stated, "clueReporter", [(pii.lookup_hash(contact, purpose="contact"), "1")]
    )
    return contact


@dataclass(frozen=True)
class ClueFilter:
    state: ClueState | None = None
    overdue: bool = False
    agency_id: int | None = None


async def list_clues(
    session: AsyncSession,
    actor: Actor,
    flt: ClueFilter,
    today: date,
    *,
    first: int,
    after: str | None,
) -> Page[Clue]:
    # The intake agency sees what it took in as well as the competent agency.
    query = oversight_scope(
        select(Clue), actor, Clue.agency_id, Clue.intake_agency_id, agency_id=flt.agency_id
    )
    if flt.state is not None:
        query = query.where(Clue.state == flt.state)
    if flt.overdue:
        query = query.where(Clue.state == ClueState.OPEN, Clue.decide_by < today)
    return await page_of(session, query, Clue.id, kind="clue", first=first, after=after)


async def clue_figures(session: AsyncSession, today: date) -> dict[str, float]:
    """For /metrics: clues by state, overdue ones, and the mean days from receipt to decision."""
    rows = await session.execute(select(Clue.state, func.count()).group_by(Clue.state))
    figures: dict[str, float] = {f"clues_{s.value.lower()}": 0 for s in ClueState}
    for state, count in rows:
        figures[f"clues_{state.value.lower()}"] = count
    figures["clues_overdue"] = (
        await session.scalar(
            select(func.count()).where(Clue.state == ClueState.OPEN, Clue.decide_by < today)
        )
        or 0
    )
    decided = await session.execute(
        select(Clue.received_on, Clue.decided_at).where(Clue.decided_at.is_not(None))
    )
    days = [(clock.china_date(at) - received).days for received, at in decided if at is not None]
    figures["clue_decision_days_mean"] = round(sum(days) / len(days), 2) if days else 0
    return figures
