"""`auditTrail(subject:)`: who looked at this person (or body), when and why (PIPL Art. 44–45:
the right to know how one's data was processed)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.audit import service
from hub.audit.models import AuditEvent
from hub.audit.purposes import AccessPurpose
from hub.auth.scopes import AUDIT_READ
from hub.db.cursors import encode_cursor
from hub.subjects.identifiers import IdNumber
from schema.access import stated_purpose
from schema.inputs import SubjectInput, parse_subject
from schema.permissions import scoped_field
from schema.records import PageInfo, page_info
from schema.types import Agency

_PURPOSES = {p.value: p for p in AccessPurpose}


@strawberry.type(description="One access to a subject's data, as the audit trail sealed it.")
class AuditEntry:
    row: strawberry.Private[AuditEvent]

    @strawberry.field(description="Position in the hash chain.")
    def seq(self) -> int:
        return self.row.seq

    @strawberry.field
    def at(self) -> datetime:
        return self.row.at

    @strawberry.field(description="The client that read; null for the hub's operator (CLI).")
    def client_id(self) -> str | None:
        return self.row.client_id

    @strawberry.field(description="The agency of that client.")
    async def agency(self, info: strawberry.Info) -> Agency | None:
        if self.row.agency_id is None:
            return None
        row = await info.context.loaders.agency_by_id.load(self.row.agency_id)
        return Agency(row=row) if row else None

    @strawberry.field(description="check, person, records, _entities, report, auditTrail.")
    def operation(self) -> str:
        return self.row.operation

    @strawberry.field
    def purpose(self) -> AccessPurpose | None:
        return _PURPOSES.get(self.row.purpose or "")

    @strawberry.field(description="招录公告号, 评选批次 … as the caller stated it.")
    def reference(self) -> str | None:
        return self.row.reference

    @strawberry.field(description="What was returned, e.g. a verdict or a number of records.")
    def result(self) -> str:
        return self.row.result

    @strawberry.field
    def request_id(self) -> str:
        return self.row.request_id


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditTrailConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo


@strawberry.type
class AuditQueries:
    @scoped_field(
        AUDIT_READ,
        description="Who accessed this subject's data, newest first. Reading a person's "
        "trail states a purpose too, and is itself audited.",
    )
    async def audit_trail(
        self,
        info: strawberry.Info,
        subject: SubjectInput,
        first: int = 20,
        after: str | None = None,
        purpose: AccessPurpose | None = None,
        reference: str | None = None,
    ) -> AuditTrailConnection:
        parsed = parse_subject(subject, "subject")
        runtime = info.context.runtime
        if isinstance(parsed, IdNumber):
            key = runtime.pii.lookup_hash(parsed.number)
            return await trail_connection(info, key, True, first, after, purpose, reference)
        return await trail_connection(info, parsed.code, False, first, after)


async def trail_connection(
    info: strawberry.Info,
    key: str,
    is_person: bool,
    first: int,
    after: str | None,
    purpose: AccessPurpose | None = None,
    reference: str | None = None,
) -> AuditTrailConnection:
    """`key`: the keyed hash of a person's ID number, or a body's USCC. A person's trail is
    read for a stated purpose, itself audited."""
    why = stated_purpose(info, purpose, reference) if is_person else None
    page = await service.read_trail(
        info.context.session, info.context.runtime.sealer, key, why, first=first, after=after
    )
    edges = [
        AuditEntryEdge(cursor=encode_cursor("audit", e.seq), node=AuditEntry(row=e))
        for e in page.events
    ]
    return AuditTrailConnection(
        edges=edges,
        page_info=page_info(page.has_next_page, edges),
    )
