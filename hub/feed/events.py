"""A record event as a CloudEvents 1.0 event, as one reader may see it. Pure: the service
(hub.feed.service) reads the rows, this decides what they say.

`data` is the record as it stands when the page is read, not as it stood at the event: each
event is complete, so a consumer that applies events in feed order converges on the record's
current state, and never receives content the hub no longer shares. A record the reader must
no longer use (revoked by its source, or repaired: 令2025年第36号 Art. 3) comes as a
`cn.gov.credit.record.withdrawn` event carrying only the record's identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from connectors.hub.mapping import HUB_STREAM_PREFIX
from hub.lifecycle.status import shown_status
from hub.records.enums import (
    RecordStatus,
    SubjectType,
)
from hub.records.models import RecordFields

SPEC_VERSION = "1.0"
TYPE_PREFIX = "cn.gov.credit.record."
WITHDRAWN_TYPE = TYPE_PREFIX + "withdrawn"
SNAPSHOT_TYPE = TYPE_PREFIX + "snapshot"

_TYPES = {
    "CREATED": "created",
    "UPDATED": "updated",
    "SUBJECT_CORRECTED": "updated",
    "STATUS_CHANGED": "updated",
    "PUBLICITY_ENDED": "publicity-ended",
}


def event_type(kind: str, shared: bool) -> str:
    """`kind` is the record event's (CREATED, OBJECTION_OPEN, REPAIR_APPROVED …)."""
    if not shared:
        return WITHDRAWN_TYPE
    if kind.startswith("OBJECTION_"):
        return TYPE_PREFIX + "objection"
    if kind.startswith("REPAIR_"):
        return TYPE_PREFIX + "repair"
    return TYPE_PREFIX + _TYPES.get(kind, "updated")


@dataclass(frozen=True)
class AgencyView:
    """The source agency as a consumer needs it to register the agency on its side."""

    uscc: str
    name: str
    family: str
    level: str
    region_code: str


@dataclass(frozen=True)
class Origin:
    """Who said it first: the hub that collected the record, the source agency, its stream
    and its 文号/案号. Two cities' 江监政处〔2024〕163号 differ by their hub."""

    hub: str
    agency: AgencyView
    stream: str
    source_ref: str

    @classmethod
    def of(cls, own_hub: str, agency: AgencyView, stream: str, ref: str) -> Origin:
        if stream.startswith(HUB_STREAM_PREFIX):
            hub, _, origin_stream = stream[len(HUB_STREAM_PREFIX) :].rpartition("|")
            return cls(hub or own_hub, agency, origin_stream, ref)
        return cls(own_hub, agency, stream, ref)

    @property
    def subject(self) -> str:
        """The CloudEvents `subject`: the record's identity, whichever hub serves it."""
        return f"{self.hub}/{self.agency.uscc}/{self.stream}/{self.source_ref}"

    def as_data(self) -> dict[str, str]:
        return {
            "hub": self.hub,
            "agencyUscc": self.agency.uscc,
            "agencyName": self.agency.name,
            "agencyFamily": self.agency.family,
            "agencyLevel": self.agency.level,
            "agencyRegion": self.agency.region_code,
            "stream": self.stream,
            "sourceRef": self.source_ref,
        }


@dataclass(frozen=True)
class SubjectView:
    """The subject as this reader may see it: masked without the PII scope."""

    type: SubjectType
    id_number: str | None = None
    name: str | None = None
    uscc: str | None = None
    region_code: str | None = None
    # The keyed hash of a person's ID number, for the audit trail; never in `data`.
    key: str | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "idNumber": self.id_number,
            "uscc": self.uscc,
            "name": self.name,
            "regionCode": self.region_code,
        }


def record_data(
    origin: Origin, state: RecordFields, subject: SubjectView | None, shared: bool, today: date
) -> dict[str, Any]:
    if not shared:
        return {
            "origin": origin.as_data(),
            "recordVersion": state.version,
            "shared": False,
            "reason": "REPAIRED" if state.status is RecordStatus.ACTIVE else state.status.value,
        }
    shown = shown_status(
        state.status,
        objection=state.objection_kind,
        repaired_on=state.repaired_on,
        publicity_ended_on=state.publicity_ended_on,
        effective_until=state.effective_until,
        today=today,
    )
    return {
        "origin": origin.as_data(),
        "recordVersion": state.version,
        "shared": True,
        "subject": subject.as_data() if subject else None,
        "category": state.category.value,
        "sanctionKind": state.sanction_kind.value if state.sanction_kind else None,
        "severity": state.severity.value,
        "decidedAt": state.decided_at.isoformat(),
        "effectiveUntil": _iso(state.effective_until),
        "legalBasis": state.legal_basis,
        "summary": state.summary,
        "detail": state.detail,
        "sourceStatus": state.status.value,
        "status": shown.value,
        "objection": state.objection_kind.value if state.objection_kind else None,
        "objectionDue": _iso(state.objection_due),
        "repairedOn": _iso(state.repaired_on),
        "publicityEndedOn": _iso(state.publicity_ended_on),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class CloudEvent:
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: dict[str, Any]
    specversion: str = SPEC_VERSION
    datacontenttype: str = "application/json"

    def as_json(self) -> dict[str, Any]:
        """The structured-mode JSON form (as relayed to NATS)."""
        return {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": self.datacontenttype,
            "data": self.data,
        }
