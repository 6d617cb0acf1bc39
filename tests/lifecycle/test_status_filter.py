"""`records(filter: {status})` finds exactly the records whose shown status is that status:
the condition in SQL and the pure function agree, on both databases."""

from __future__ import annotations

from datetime import date

from factories import record, submit
from parties import FINANCE
from sqlalchemy import update
from support import uscc_check_char

from hub.agencies.models import AgencyFamily
from hub.records.enums import ObjectionKind, RecordStatus
from hub.records.models import CreditRecord

QUERY = """query($f: RecordFilter) { records(filter: $f, first: 100) {
  edges { node { sourceRef status } } } }"""
WHO = {"uscc": "11361200MB1234567X", "name": "江州市某局"}

# sourceRef → the lifecycle columns it gets, beside the source's own status.
STATES = {
    "active": {},
    "disputed": {"objection_kind": ObjectionKind.DATA_ERROR},
    "disputed-and-repaired": {
        "objection_kind": ObjectionKind.SANCTION_REVIEW, "repaired_on": date(2026, 9, 1)
    },
    "repaired": {"repaired_on": date(2026, 9, 1)},
    "publicity-ended": {"publicity_ended_on": date(2026, 9, 1)},
    "publicity-ends-later": {"publicity_ended_on": date(2026, 12, 31)},
    "effect-ended": {"effective_until": date(2026, 9, 1)},
    "effect-ends-today": {"effective_until": date(2026, 10, 1)},
    "revoked-and-disputed": {"objection_kind": ObjectionKind.DATA_ERROR},
}  # fmt: skip


async def test_each_status_filter_finds_the_records_showing_that_status(parties, db):
    who = {**WHO, "uscc": WHO["uscc"][:17] + uscc_check_char(WHO["uscc"][:17])}
    rows = [
        record(ref, who, category="PAYMENT_ARREARS", kind=None, decided="2026-06-01")
        for ref in STATES
    ]
    rows[-1]["status"] = "REVOKED"
    await submit(parties.hub.http, db, rows, agency_seed=FINANCE, family=AgencyFamily.FINANCE)
    async with db.sessions.begin() as session:
        for ref, values in STATES.items():
            if values:
                await session.execute(
                    update(CreditRecord).where(CreditRecord.source_ref == ref).values(**values)
                )
    parties.on(date(2026, 10, 1))
    everything = await parties.ask(parties.finance, QUERY, {"f": {"category": "PAYMENT_ARREARS"}})
    shown = {
        e["node"]["sourceRef"]: e["node"]["status"] for e in everything["data"]["records"]["edges"]
    }
    assert shown == {
        "active": "ACTIVE",
        "disputed": "UNDER_OBJECTION",
        "disputed-and-repaired": "UNDER_OBJECTION",
        "repaired": "REPAIRED",
        "publicity-ended": "EXPIRED",
        "publicity-ends-later": "ACTIVE",
        "effect-ended": "EXPIRED",
        "effect-ends-today": "ACTIVE",
        "revoked-and-disputed": "REVOKED",
    }
    for status in RecordStatus:
        only = {"category": "PAYMENT_ARREARS", "status": status.value}
        found = await parties.ask(parties.finance, QUERY, {"f": only})
        refs = {e["node"]["sourceRef"] for e in found["data"]["records"]["edges"]}
        assert refs == {ref for ref, s in shown.items() if s == status.value}, status
