"""The 承诺台账: an agency records what it promised and reports it kept. Every agency keeps
its own; evaluators (evaluation:read) and admins read all. A broken commitment is never
turned into a record here: the competent agency confirms it and submits a PROMISE_BROKEN
record through submitRecords, like any other record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.actor import Actor
from hub.auth.scopes import ADMIN
from hub.commitments.models import Commitment, CommitmentKind, CommitmentState
from hub.db.paging import Page, page_of
from hub.errors import Conflict, InvalidInput, NotFound
from hub.lifecycle.access import agency_of, oversees, oversight_scope

MAX_TEXT = 2000
# A commitment further out than this is a typo more often than a plan.
LONGEST = timedelta(days=366 * 30)
MAX_DUE_WITHIN = 3660


@dataclass(frozen=True)
class CommitmentDraft:
    kind: CommitmentKind
    counterparty: str
    content: str
    made_on: date
    due_on: date


def _text(value: str, field: str, zh: str, shortest: int = 2, longest: int = MAX_TEXT) -> str:
    cleaned = value.strip()
    if not shortest <= len(cleaned) <= longest:
        raise InvalidInput(
            f"{shortest} to {longest} characters",
            field=field,
            zh=f"{zh}应为 {shortest} 至 {longest} 个字符",
        )
    return cleaned


def overdue(commitment: Commitment, today: date) -> bool:
    return commitment.state is CommitmentState.OPEN and commitment.due_on < today


def kept_on_time(commitment: Commitment) -> bool:
    return commitment.fulfilled_on is not None and commitment.fulfilled_on <= commitment.due_on


async def record_commitment(
    session: AsyncSession, actor: Actor, draft: CommitmentDraft, today: date
) -> Commitment:
    agency = agency_of(actor, "keep a commitment ledger")
    counterparty = _text(draft.counterparty, "counterparty", "承诺对象", longest=200)
    content = _text(draft.content, "content", "承诺内容", shortest=5)
    if draft.made_on > today:
        raise InvalidInput(
            "a commitment is recorded once made", field="madeOn", zh="承诺日期不能晚于今天"
        )
    if draft.due_on < draft.made_on:
        raise InvalidInput("due before it was made", field="dueOn", zh="兑现期限不能早于承诺日期")
    if draft.due_on - draft.made_on > LONGEST:
        raise InvalidInput(
            "due more than 30 years after it was made", field="dueOn", zh="兑现期限过远，请核对"
        )
    commitment = Commitment(
        agency_id=agency,
        kind=draft.kind,
        counterparty=counterparty,
        content=content,
        made_on=draft.made_on,
        due_on=draft.due_on,
        state=CommitmentState.OPEN,
        recorded_by=actor.principal,
    )
    session.add(commitment)
    await session.flush()
    return commitment


async def report_fulfilled(
    session: AsyncSession,
    actor: Actor,
    commitment_id: int,
    fulfilled_on: date,
    evidence: str,
    today: date,
) -> Commitment:
    commitment = await visible_commitment(session, actor, commitment_id)
    if not (actor.has(ADMIN) or actor.agency_id == commitment.agency_id):
        raise NotFound(
            f"no commitment {commitment_id} of this agency", field="id", zh="没有这条承诺"
        )
    if commitment.state is not CommitmentState.OPEN:
        raise Conflict(
            f"commitment {commitment_id} is already reported fulfilled",
            field="id",
            zh="该承诺已报告兑现",
            extra={"state": commitment.state.value},
        )
    if not commitment.made_on <= fulfilled_on <= today:
        raise InvalidInput(
            "fulfilled between the day it was made and today",
            field="fulfilledOn",
            zh="兑现日期应在承诺日期与今天之间",
        )
    commitment.state = CommitmentState.FULFILLED
    commitment.fulfilled_on = fulfilled_on
    commitment.evidence = _text(evidence, "evidence", "兑现佐证", shortest=5)
    commitment.reported_by = actor.principal
    return commitment


async def visible_commitment(session: AsyncSession, actor: Actor, commitment_id: int) -> Commitment:
    commitment = await session.get(Commitment, commitment_id)
    if commitment is None or not (oversees(actor) or commitment.agency_id == actor.agency_id):
        raise NotFound(
            f"no commitment {commitment_id} for this client", field="id", zh="没有这条承诺"
        )
    return commitment


@dataclass(frozen=True)
class CommitmentFilter:
    state: CommitmentState | None = None
    overdue: bool = False
    due_within_days: int | None = None
    agency_id: int | None = None


async def list_commitments(
    session: AsyncSession,
    actor: Actor,
    flt: CommitmentFilter,
    today: date,
    *,
    first: int,
    after: str | None,
) -> Page[Commitment]:
    query = oversight_scope(
        select(Commitment), actor, Commitment.agency_id, agency_id=flt.agency_id
    )
    if flt.state is not None:
        query = query.where(Commitment.state == flt.state)
    if flt.overdue:
        query = query.where(Commitment.state == CommitmentState.OPEN, Commitment.due_on < today)
    if flt.due_within_days is not None:
        if not 0 <= flt.due_within_days <= MAX_DUE_WITHIN:
            raise InvalidInput(f"from 0 to {MAX_DUE_WITHIN} days", field="filter.dueWithinDays")
        query = query.where(
            Commitment.state == CommitmentState.OPEN,
            Commitment.due_on >= today,
            Commitment.due_on <= today + timedelta(days=flt.due_within_days),
        )
    return await page_of(session, query, Commitment.id, kind="commitment", first=first, after=after)
