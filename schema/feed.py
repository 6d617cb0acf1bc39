"""The change feed for inter-platform sync jobs (scope sync:read): `changes`, every committed
change in commit order, and `recordsSnapshot`, where a new or expired consumer starts."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub.auth.scopes import SYNC_READ
from hub.feed import service
from hub.feed.events import CloudEvent
from hub.records.enums import RecordCategory, SubjectType
from hub.runtime import feed_reader
from schema.permissions import scoped_field
from schema.records import PageInfo


@strawberry.type(
    description="One change as a CloudEvents 1.0 event. `data` is the record as it stands "
    "now, as this client may see it (PII masked without records:read:pii); type "
    "cn.gov.credit.record.withdrawn means: stop using this record (revoked by its source, or "
    "repaired), and its data holds only the record's origin."
)
class Change:
    id: strawberry.ID = strawberry.field(description="Unique in this hub (its feed position).")
    specversion: str
    source: str = strawberry.field(description="The URN of the hub serving the feed.")
    type_: str = strawberry.field(
        name="type",
        description="cn.gov.credit.record.created | updated | objection | repair | "
        "publicity-ended | withdrawn | snapshot",
    )
    subject: str = strawberry.field(
        description="The record's identity: origin hub / source agency USCC / stream / 文号."
    )
    time: datetime
    datacontenttype: str
    data: JSON

    @classmethod
    def of(cls, event: CloudEvent) -> Change:
        return cls(
            id=strawberry.ID(event.id),
            specversion=event.specversion,
            source=event.source,
            type_=event.type,
            subject=event.subject,
            time=event.time,
            datacontenttype=event.datacontenttype,
            data=event.data,  # type: ignore[arg-type]
        )


@strawberry.type
class ChangeEdge:
    cursor: str
    node: Change


@strawberry.type
class ChangeConnection:
    edges: list[ChangeEdge]
    page_info: PageInfo


@strawberry.type
class RecordsSnapshot:
    edges: list[ChangeEdge]
    page_info: PageInfo
    feed_cursor: str = strawberry.field(
        description="Once the snapshot is read to its end, follow `changes(after:)` from here: "
        "records that changed while it was read come again, and applying them again converges."
    )
    as_of: datetime


@strawberry.input
class ChangeFilter:
    categories: list[RecordCategory] | None = None
    since: datetime | None = strawberry.field(
        default=None, description="Only changes made at or after this moment."
    )
    subject_type: SubjectType | None = None


def _reader(info: strawberry.Info) -> service.Reader:
    return feed_reader(info.context.runtime, info.context.actor)


def _edges(edges: list[service.Edge]) -> list[ChangeEdge]:
    return [ChangeEdge(cursor=e.cursor, node=Change.of(e.event)) for e in edges]


@strawberry.type
class FeedQueries:
    @scoped_field(
        SYNC_READ,
        description="Every committed change to a record this client may see, in commit order "
        f"(1 ≤ first ≤ {service.MAX_CHANGES}). Keep pageInfo.endCursor and pass it as `after` "
        "next time, also when a page is empty. A cursor older than the feed's retention is "
        "refused with CURSOR_EXPIRED: start again from recordsSnapshot.",
    )
    async def changes(
        self,
        info: strawberry.Info,
        after: str | None = None,
        first: int = 500,
        filter: ChangeFilter | None = None,
    ) -> ChangeConnection:
        flt = service.ChangeFilter(
            categories=frozenset(filter.categories) if filter and filter.categories else None,
            since=filter.since if filter else None,
            subject_type=filter.subject_type if filter else None,
        )
        page = await service.read_changes(
            info.context.session, _reader(info), after=after, first=first, flt=flt
        )
        return ChangeConnection(
            edges=_edges(page.edges),
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )

    @scoped_field(
        SYNC_READ,
        description="The records this client may use now, one snapshot event each, paged by "
        "`after`; then follow `changes` from feedCursor.",
    )
    async def records_snapshot(
        self, info: strawberry.Info, after: str | None = None, first: int = 500
    ) -> RecordsSnapshot:
        page = await service.read_snapshot(
            info.context.session, _reader(info), after=after, first=first
        )
        return RecordsSnapshot(
            edges=_edges(page.edges),
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            feed_cursor=page.feed_cursor,
            as_of=page.as_of,
        )
