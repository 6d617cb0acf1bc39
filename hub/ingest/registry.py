"""Each family's current mapping, for replaying quarantined rows: a row that failed because
of the mapping is read again with the mapping as it is now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub import clock
from hub.ingest.service import Remap


def remap_for(connector: str) -> Remap | None:
    return _REMAPS.get(connector)


def _court(stream: str, raw: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    from connectors.court.mapping import defaulter_record, judgment_record

    return [judgment_record(raw) if stream == "judgments" else defaulter_record(raw)]


def _discipline(stream: str, raw: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    from connectors.discipline import map_decision

    return [map_decision(raw)]


def _hr(stream: str, raw: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    from connectors import hr

    mappings = {
        "roster": hr.map_roster,
        "appraisals": hr.map_appraisal,
        "exam_misconduct": hr.map_exam_misconduct,
        "dismissals": hr.map_dismissal,
    }
    return [mappings[stream](raw)]


def _finance(stream: str, raw: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    from connectors.finance.mapping import contract_records

    # Arrears depend on the day they are judged: a replay judges them today.
    return contract_records(raw, clock.today())


_REMAPS: dict[str, Remap] = {
    "court": _court,
    "discipline": _discipline,
    "hr": _hr,
    "finance": _finance,
}
