"""The hash chain as pure functions: every single tampering is named at the right row."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hub.audit.chain import GENESIS, Head, chain_key, seal, sealed_head, verify

KEY = chain_key(b"k" * 32)
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@dataclass
class Row:
    seq: int
    at: datetime
    request_id: str
    client_id: str | None
    agency_id: int | None
    operation: str
    subject_type: str
    subject_key: str
    purpose: str | None
    reference: str | None
    result: str
    prev_hash: str = ""
    hash: str = ""


def chain(n: int, key: bytes = KEY) -> tuple[Head, list[Row]]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        row = Row(
            seq,
            T0 + timedelta(seconds=seq),
            f"r{seq}",
            "c_1",
            7,
            "person",
            "PERSON",
            f"{seq:064x}",
            "HIRING",
            "2026-招录-3",
            "found",
            prev,
        )
        row.hash = prev = seal(key, row.prev_hash, row)
        rows.append(row)
    return sealed_head(key, 1, GENESIS, n, prev), rows


def test_an_untouched_chain_verifies():
    head, rows = chain(5)
    result = verify(KEY, head, rows)
    assert result.intact and result.rows == 5


def test_the_genesis_head_with_no_rows_is_an_empty_intact_chain():
    genesis = Head(1, GENESIS, 0, GENESIS, "")
    assert verify(KEY, genesis, []).intact


def test_a_changed_field_is_named_at_its_row():
    head, rows = chain(5)
    rows[2].purpose = "AWARD"
    fault = verify(KEY, head, rows).fault
    assert fault is not None and (fault.kind, fault.seq) == ("CHANGED", 3)


def test_a_deleted_row_is_named_by_its_number():
    head, rows = chain(5)
    del rows[1]
    fault = verify(KEY, head, rows).fault
    assert fault is not None and (fault.kind, fault.seq) == ("DELETED", 2)


def test_rows_cut_off_the_end_are_found_through_the_head():
    head, rows = chain(5)
    fault = verify(KEY, head, rows[:3]).fault
    assert fault is not None and (fault.kind, fault.seq) == ("DELETED", 4)


def test_a_row_appended_past_the_head_is_an_insertion():
    head, rows = chain(5)
    forged = dataclasses.replace(rows[-1], seq=6, prev_hash=rows[-1].hash)
    fault = verify(KEY, head, [*rows, forged]).fault
    assert fault is not None and (fault.kind, fault.seq) == ("INSERTED", 6)


def test_a_row_sealed_with_another_key_is_caught():
    head, rows = chain(3)
    _, foreign = chain(3, key=chain_key(b"x" * 32))
    fault = verify(KEY, head, [rows[0], foreign[1], rows[2]]).fault
    assert fault is not None and (fault.kind, fault.seq) == ("CHANGED", 2)


def test_a_changed_head_is_caught():
    head, rows = chain(3)
    fault = verify(KEY, dataclasses.replace(head, last_seq=2), rows[:2]).fault
    assert fault is not None and fault.kind == "HEAD"


def test_a_pruned_chain_verifies_from_its_new_start():
    _, rows = chain(5)
    head = sealed_head(KEY, 3, rows[1].hash, 5, rows[-1].hash)
    assert verify(KEY, head, rows[2:]).intact


FIELDS = [
    "at",
    "request_id",
    "client_id",
    "agency_id",
    "subject_type",
    "operation",
    "subject_key",
    "purpose",
    "reference",
    "result",
    "prev_hash",
    "hash",
]


@given(
    n=st.integers(min_value=1, max_value=12),
    data=st.data(),
)
def test_any_single_change_to_any_row_is_found_at_that_row(n, data):
    head, rows = chain(n)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    name = data.draw(st.sampled_from(FIELDS))
    row = rows[index]
    current = getattr(row, name)
    if isinstance(current, datetime):
        changed: object = current + timedelta(microseconds=1)
    elif isinstance(current, int):
        changed = current + 1
    elif current is None:
        changed = "x"
    else:
        changed = current[:-1] + ("0" if current[-1] != "0" else "1")
    setattr(row, name, changed)
    fault = verify(KEY, head, rows).fault
    assert fault is not None and fault.kind == "CHANGED" and fault.seq == row.seq
