"""The one enforcement point for rows: every ORM statement run in a caller's session gets
that caller's criteria (`do_orm_execute` + `with_loader_criteria`, as SQLAlchemy suggests),
and every flush is checked for changes to another agency's records. Resolvers and services
never filter by caller themselves.

A session is a caller's once `bind` is called on it; an unbound session (migrations,
ingest, the operator's CLI) is not filtered."""

from __future__ import annotations

from functools import lru_cache
from itertools import chain
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import and_, event, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from hub.access.rules import (
    REPAIRED_RECORDS_ARE_JUDGED,
    REPAIRED_RECORDS_ARE_SHARED,
    WITHDRAWN,
    may_change_record,
    sees_unshared_records_of_others,
)
from hub.auth.actor import Actor
from hub.auth.scopes import ADMIN
from hub.checks.models import Check
from hub.errors import Forbidden
from hub.records.models import CreditRecord
from hub.subjects.models import Organization, Person

_ACTOR = "hub.access.actor"
# Execution option of the statement with which a check reads the records it judges.
FOR_CHECKS = "hub_for_checks"
# Execution option of the change feed's read: it sees records withdrawn from sharing too,
# because it must tell consumers to stop using them (hub.feed); jurisdiction still applies.
FOR_FEED = "hub_for_feed"


def bind(session: AsyncSession, actor: Actor) -> None:
    session.info[_ACTOR] = actor


# An actor's criteria are built once: a session runs many statements, a process serves the
# same clients again and again, and the options are immutable.
@lru_cache(maxsize=1024)
def criteria_for(actor: Actor, for_checks: bool = False, for_feed: bool = False) -> tuple[Any, ...]:
    options: list[Any] = []
    if not (for_feed or sees_unshared_records_of_others(actor)):
        own = actor.agency_id
        repaired_seen = REPAIRED_RECORDS_ARE_JUDGED if for_checks else REPAIRED_RECORDS_ARE_SHARED
        if repaired_seen:
            shared = lambda cls: or_(  # noqa: E731
                cls.source_agency_id == own, cls.status.not_in(WITHDRAWN)
            )
        else:
            shared = lambda cls: or_(  # noqa: E731
                cls.source_agency_id == own,
                and_(cls.status.not_in(WITHDRAWN), cls.repaired_on.is_(None)),
            )
        options.append(
            with_loader_criteria(
                CreditRecord, shared, include_aliases=True, track_closure_variables=True
            )
        )
    if not actor.has(ADMIN):
        # A stored check (and its report) belongs to the agency that asked.
        asker = actor.agency_id
        options.append(
            with_loader_criteria(Check, lambda cls: cls.agency_id == asker, include_aliases=True)
        )
    if actor.jurisdiction is not None:
        within = actor.jurisdiction + "%"
        options += [
            with_loader_criteria(
                Person, lambda cls: cls.region_code.like(within), include_aliases=True
            ),
            with_loader_criteria(
                Organization, lambda cls: cls.region_code.like(within), include_aliases=True
            ),
            # A record is read with its subject: outside the jurisdiction, neither is seen.
            with_loader_criteria(
                CreditRecord,
                lambda cls: or_(
                    cls.person_id.in_(select(Person.id).where(Person.region_code.like(within))),
                    cls.organization_id.in_(
                        select(Organization.id).where(Organization.region_code.like(within))
                    ),
                ),
                include_aliases=True,
            ),
        ]
    return tuple(options)


@lru_cache(maxsize=1024)
def write_criteria_for(actor: Actor) -> tuple[Any, ...]:
    if actor.has(ADMIN):
        return ()
    own = actor.agency_id
    return (
        with_loader_criteria(
            CreditRecord, lambda cls: cls.source_agency_id == own, include_aliases=True
        ),
    )


@event.listens_for(Session, "do_orm_execute")
def _apply_row_criteria(state: ORMExecuteState) -> None:
    actor: Actor | None = state.session.info.get(_ACTOR)
    if actor is None:
        return
    if state.is_select and not state.is_column_load:
        # Column loads refresh attributes of an object the caller could already see.
        options = criteria_for(
            actor,
            bool(state.execution_options.get(FOR_CHECKS)),
            bool(state.execution_options.get(FOR_FEED)),
        )
    elif state.is_update or state.is_delete:
        # A bulk UPDATE or DELETE reaches only the caller's own records.
        options = write_criteria_for(actor)
    elif state.is_insert and not actor.has(ADMIN) and _targets_records(state):
        # A bulk INSERT would bypass the flush check below: records are added one by one.
        raise Forbidden("records are added through submitRecords", field="records")
    else:
        return
    if options:
        state.statement = _with_options(state.statement, options)


# Statement → {options → the statement with them}. Weak: a statement built for one request
# (`column.in_(ids)`) is forgotten with it; one built at import stays.
_OPTIONED: WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = WeakKeyDictionary()
_MAX_CALLERS_PER_STATEMENT = 1024


def _with_options(statement: Any, options: tuple[Any, ...]) -> Any:
    """The same statement object for the same statement and caller, so that SQLAlchemy's
    cache key, memoized on the object, is computed once rather than on every request (the
    hot path's statements are built once, at import). Statements and options are
    immutable, and the options of an actor are one tuple (criteria_for)."""
    by_options = _OPTIONED.get(statement)
    if by_options is None:
        by_options = _OPTIONED[statement] = {}
    optioned = by_options.get(options)
    if optioned is None:
        if len(by_options) >= _MAX_CALLERS_PER_STATEMENT:
            by_options.clear()
        optioned = by_options[options] = statement.options(*options)
    return optioned


def _targets_records(state: ORMExecuteState) -> bool:
    return any(mapper.class_ is CreditRecord for mapper in state.all_mappers)


@event.listens_for(Session, "before_flush")
def _only_own_records_change(session: Session, _context: Any, _instances: Any) -> None:
    actor: Actor | None = session.info.get(_ACTOR)
    if actor is None:
        return
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and _only_dispute_changed(obj):
            continue
        if isinstance(obj, CreditRecord) and not all(
            may_change_record(actor, agency) for agency in _owners(obj)
        ):
            raise Forbidden("an agency may change only its own records", field="records")


def require_may_add_records(session: AsyncSession, agency_id: int) -> None:
    """The check above, for new records written as rows (they do not go through a flush)."""
    actor: Actor | None = session.info.get(_ACTOR)
    if actor is not None and not may_change_record(actor, agency_id):
        raise Forbidden("an agency may change only its own records", field="records")


def _owners(record: CreditRecord) -> set[int]:
    # The owner it had when loaded as well as the one it would get: taking over another
    # agency's record is as much a change of it as editing it.
    history = inspect(record).attrs.source_agency_id.history
    values = (*history.added, *history.unchanged, *history.deleted, record.source_agency_id)
    return {value for value in values if value is not None}


# What an objection filed by another agency writes on the record: its dispute state, kept by
# the hub's workflow (hub.lifecycle), never the source's content.
DISPUTE_COLUMNS = frozenset({"objection_kind", "objection_due"})


def _only_dispute_changed(obj: object) -> bool:
    if not isinstance(obj, CreditRecord):
        return False
    state = inspect(obj)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return bool(changed) and changed <= DISPUTE_COLUMNS
