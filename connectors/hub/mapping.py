"""One change-feed event of another hub (a CloudEvent, hub.feed.events) as a SourceRecord.
Pure. The event's data is the record as it stands at the other hub; a withdrawn record
carries only its origin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import SourceDataError, SourceRecord, source_record

ORIGIN_KEYS = ("hub", "agencyUscc", "agencyName", "agencyFamily", "agencyLevel", "stream")
WITHDRAWN_TYPE = "cn.gov.credit.record.withdrawn"
# The stream a hub keeps another hub's records under: "hub:<urn>|<stream>", at most 64
# (hub.feed.events reads the origin back from it).
HUB_STREAM_PREFIX = "hub:"
MAX_STREAM = 64


def origin_stream(origin: Mapping[str, str]) -> str:
    return f"{HUB_STREAM_PREFIX}{origin['hub']}|{origin['stream']}"


def feed_record(event: Mapping[str, Any]) -> SourceRecord:
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("origin"), dict):
        raise SourceDataError("the event has no data.origin", field="data.origin")
    origin = data["origin"]
    missing = [k for k in (*ORIGIN_KEYS, "sourceRef") if not isinstance(origin.get(k), str)]
    if missing:
        raise SourceDataError(f"data.origin lacks {', '.join(missing)}", field="data.origin")
    if len(origin_stream(origin)) > MAX_STREAM:
        raise SourceDataError(
            f"origin hub {origin['hub']!r} and stream {origin['stream']!r} are too long to "
            f"keep apart (hub:<urn>|<stream> over {MAX_STREAM} characters)",
            field="data.origin.hub",
        )
    kept = {k: origin[k] for k in ORIGIN_KEYS}
    kept["agencyRegion"] = str(origin.get("agencyRegion") or "")
    if event.get("type") == WITHDRAWN_TYPE or data.get("shared") is False:
        reason = str(data.get("reason") or "WITHDRAWN")
        return source_record({"source_ref": origin["sourceRef"], "origin": kept,
                              "withdrawn": reason})  # fmt: skip
    subject = data.get("subject") or {}
    if not isinstance(subject, dict):
        raise SourceDataError("data.subject is not an object", field="data.subject")
    return source_record(
        {
            "source_ref": origin["sourceRef"],
            "origin": kept,
            "category": data.get("category"),
            "sanction_kind": data.get("sanctionKind"),
            "severity": data.get("severity"),
            "subject_id_number": subject.get("idNumber"),
            "subject_uscc": subject.get("uscc"),
            "subject_name": subject.get("name"),
            "decided_at": data.get("decidedAt"),
            "effective_until": data.get("effectiveUntil"),
            "summary": data.get("summary"),
            "legal_basis": data.get("legalBasis"),
            "status": data.get("sourceStatus"),
            "detail": data.get("detail"),
        }
    )
