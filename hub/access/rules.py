"""Row rules as pure functions over values; hub.access.enforcement turns them into SQL."""

from __future__ import annotations

from hub.auth.actor import Actor
from hub.auth.scopes import ADMIN
from hub.errors import InvalidInput
from hub.records.enums import RecordStatus

# Who sees what of another agency's records:
# - a record its source REVOKED was withdrawn as wrong (政务处分法 Art. 60): only the owner;
# - a repaired record (信用修复管理办法, 令2025年第36号, Art. 3) is no longer shared or used as
#   失信信息, so other agencies' reads leave it out;
# - but a check judges a repaired record too: a repair lifts 失信惩戒 measures, which the rule
#   engine knows how to tell apart, never a statutory bar (Art. 3–4).
WITHDRAWN: tuple[RecordStatus, ...] = (RecordStatus.REVOKED,)
REPAIRED_RECORDS_ARE_SHARED = False
REPAIRED_RECORDS_ARE_JUDGED = True


def sees_unshared_records_of_others(actor: Actor) -> bool:
    return actor.has(ADMIN)


def shared_in_feed(
    reader_agency_id: int | None,
    source_agency_id: int,
    status: RecordStatus,
    repaired_on: object | None,
) -> bool:
    """Whether the change feed gives a record's content to a reader, or only tells it to
    stop using the record. Stricter than reads: no scope, not even admin, carries a revoked
    or repaired record to another platform (令2025年第36号 Art. 3: a repaired record stops
    being shared); its source still sees its own."""
    if reader_agency_id is not None and reader_agency_id == source_agency_id:
        return True
    return status not in WITHDRAWN and (REPAIRED_RECORDS_ARE_SHARED or repaired_on is None)


def may_change_record(actor: Actor, source_agency_id: int) -> bool:
    """A source agency writes, corrects and manages only its own records."""
    return actor.has(ADMIN) or actor.agency_id == source_agency_id


def jurisdiction_prefix(code: str, *, field: str = "jurisdiction") -> str:
    """A 行政区划代码 (or its 2- or 4-digit prefix) as the prefix it covers: 320000 → 32
    (a province), 320100 → 3201 (a city), 320102 → 320102 (a county)."""
    text = code.strip()
    if len(text) not in (2, 4, 6) or not (text.isascii() and text.isdigit()):
        raise InvalidInput(
            "a jurisdiction is a 6-digit 行政区划代码 (e.g. 320100) or its 2- or 4-digit prefix",
            field=field,
        )
    while len(text) > 2 and text.endswith("00"):
        text = text[:-2]
    return text


def in_jurisdiction(prefix: str | None, region_code: str) -> bool:
    return prefix is None or region_code.startswith(prefix)
