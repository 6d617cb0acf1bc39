"""Reading records (a Relay connection) and pushing them (submitRecords)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import strawberry

from hub.audit.purposes import AccessPurpose
from hub.auth.scopes import RECORDS_READ, RECORDS_WRITE
from hub.db.paging import Page
from hub.errors import Forbidden
from hub.records import service
from hub.subjects.identifiers import IdNumber, parse_uscc
from schema.access import stated
from schema.inputs import RecordFilter, RecordInput, parse_subject, to_draft
from schema.permissions import scoped_field, scoped_mutation
from schema.types import CreditRecord

Row = TypeVar("Row")
Connection = TypeVar("Connection")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_info(has_next_page: bool, edges: Sequence[Any]) -> PageInfo:
    """The page info of a connection: its last edge's cursor is where the next page starts."""
    return PageInfo(has_next_page=has_next_page, end_cursor=edges[-1].cursor if edges else None)


def connection_of(
    page: Page[Row],
    connection: Callable[..., Connection],
    edge: Callable[..., Any],
    node: Callable[[Row], Any],
) -> Connection:
    """The connection of a page of rows: each row an `edge` holding its cursor and `node(row)`."""
    edges = [edge(cursor=page.cursor(row), node=node(row)) for row in page.items]
    return connection(edges=edges, page_info=page_info(page.has_next_page, edges))


@strawberry.type
class RecordEdge:
    cursor: str
    node: CreditRecord


@strawberry.type
class RecordConnection:
    edges: list[RecordEdge]
    page_info: PageInfo


@strawberry.type
class RowError:
    index: int = strawberry.field(
        description="Position of the row in the submitted list (0-based)."
    )
    field: str
    reason: str
    code: str | None = strawberry.field(
        default=None,
        description="SUBJECT_CHANGED when the sourceRef already names another subject; "
        "null for data that fails validation.",
    )


@strawberry.type
class SubmitResult:
    accepted: int
    inserted: int
    updated: int
    unchanged: int
    rejected: list[RowError]
    warnings: list[RowError]


def _domain_filter(flt: RecordFilter | None, info: strawberry.Info) -> service.RecordFilter:
    if flt is None:
        return service.RecordFilter()
    person_hash = organization_uscc = None
    if flt.subject is not None:
        subject = parse_subject(flt.subject, "filter.subject")
        if isinstance(subject, IdNumber):
            person_hash = info.context.runtime.pii.lookup_hash(subject.number)
        else:
            organization_uscc = subject.code
    agency = (
        parse_uscc(flt.source_agency_uscc, field="filter.sourceAgencyUscc").code
        if flt.source_agency_uscc
        else None
    )
    return service.RecordFilter(
        category=flt.category,
        status=flt.status,
        subject_type=flt.subject_type,
        person_hash=person_hash,
        organization_uscc=organization_uscc,
        source_agency_uscc=agency,
        decided_from=flt.decided_from,
        decided_to=flt.decided_to,
        today=info.context.runtime.today(),
    )


@strawberry.type
class RecordQueries:
    @scoped_field(
        RECORDS_READ,
        description="Credit records, oldest first, as a Relay connection. Records of persons "
        "need a purpose (argument or X-Hub-Purpose) and every person read is audited.",
    )
    async def records(
        self,
        info: strawberry.Info,
        filter: RecordFilter | None = None,
        first: int = 20,
        after: str | None = None,
        purpose: AccessPurpose | None = None,
        reference: str | None = None,
    ) -> RecordConnection:
        page = await service.read_records(
            info.context.session,
            _domain_filter(filter, info),
            *stated(info, purpose, reference),
            first=first,
            after=after,
        )
        edges = [RecordEdge(cursor=page.cursor(r), node=CreditRecord(row=r)) for r in page.items]
        return RecordConnection(
            edges=edges,
            page_info=page_info(page.has_next_page, edges),
        )


@strawberry.type
class RecordMutations:
    @scoped_mutation(
        RECORDS_WRITE,
        description="A source agency pushes its records. Each row is validated on its own; "
        "idempotent on (agency, sourceRef).",
    )
    async def submit_records(
        self, info: strawberry.Info, records: list[RecordInput]
    ) -> SubmitResult:
        actor = info.context.actor
        if actor.agency_id is None:
            raise Forbidden("only an agency's client may submit records")
        result = await service.submit_records(
            info.context.session,
            info.context.runtime.pii,
            agency_id=actor.agency_id,
            drafts=[to_draft(r) for r in records],
            actor=actor.principal,
            jurisdiction=actor.jurisdiction,
        )
        return SubmitResult(
            accepted=result.accepted,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=[
                RowError(index=e.index, field=e.field, reason=e.reason, code=e.code)
                for e in result.rejected
            ],
            warnings=[
                RowError(index=e.index, field=e.field, reason=e.reason) for e in result.warnings
            ],
        )
