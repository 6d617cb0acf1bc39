"""The hash chain, as pure functions over values.

Each row commits to the previous row's hash and to its own content with an HMAC keyed by
the hub's secret, so whoever edits the table by hand cannot produce a valid row. The head
(one row) holds the chain's first and last positions under the same key: a row appended
past the head, or the last rows cut off, is found too. Sequence numbers are contiguous, so
the first fault in a walk is named exactly: a missing number is a deleted row, a number
outside the head's range an inserted one, and a row whose HMAC fails a changed one."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

import orjson

GENESIS = "0" * 64
_KEY_LABEL = b"hub audit chain v1"


def chain_key(pii_hmac_key: bytes) -> bytes:
    # Derived from the PII key the hub already keeps, under a label of its own: no new key
    # file to manage, and the chain key never equals a lookup-hash key.
    return hmac.new(pii_hmac_key, _KEY_LABEL, hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One access, as the code that made it knows it: what, about whom, why, with what
    result. Who and when are added when the entry is sealed."""

    operation: str
    subject_type: str
    subject_key: str
    purpose: str | None
    reference: str | None
    result: str
    at: datetime


class SealedRow(Protocol):
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
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Head:
    first_seq: int
    first_prev_hash: str
    last_seq: int
    last_hash: str
    mac: str

    @property
    def is_genesis(self) -> bool:
        # Nothing sealed yet: the state the migration creates.
        return self.mac == "" and self.last_seq == self.first_seq - 1


def content(row: SealedRow) -> bytes:
    return orjson.dumps(
        [
            row.seq,
            row.at.astimezone(UTC).isoformat(timespec="microseconds"),
            row.request_id,
            row.client_id,
            row.agency_id,
            row.operation,
            row.subject_type,
            row.subject_key,
            row.purpose,
            row.reference,
            row.result,
        ]
    )


def seal(key: bytes, prev_hash: str, row: SealedRow) -> str:
    return hmac.new(key, prev_hash.encode() + b"|" + content(row), hashlib.sha256).hexdigest()


def head_mac(
    key: bytes, first_seq: int, first_prev_hash: str, last_seq: int, last_hash: str
) -> str:
    message = f"head|{first_seq}|{first_prev_hash}|{last_seq}|{last_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sealed_head(
    key: bytes, first_seq: int, first_prev_hash: str, last_seq: int, last_hash: str
) -> Head:
    mac = head_mac(key, first_seq, first_prev_hash, last_seq, last_hash)
    return Head(first_seq, first_prev_hash, last_seq, last_hash, mac)


FaultKind = Literal["CHANGED", "DELETED", "INSERTED", "HEAD"]


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    seq: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Verification:
    rows: int
    head: Head | None
    fault: Fault | None

    @property
    def intact(self) -> bool:
        return self.fault is None


def verify(key: bytes, head: Head | None, rows: Iterable[SealedRow]) -> Verification:
    """Walks rows in sequence order and names the first fault."""
    walker = Walker(key, head)
    for row in rows:
        if walker.feed(row) is not None:
            break
    return walker.finish()


class Walker:
    """The verification walk, fed one row at a time (a chain of millions of rows is read
    in chunks, never held at once)."""

    def __init__(self, key: bytes, head: Head | None) -> None:
        self._key = key
        self._head = head
        self.rows = 0
        self.fault: Fault | None = None
        if head is not None:
            self._expected, self._prev = head.first_seq, head.first_prev_hash
            if not head.is_genesis and not hmac.compare_digest(
                head.mac,
                head_mac(key, head.first_seq, head.first_prev_hash, head.last_seq, head.last_hash),
            ):
                self.fault = Fault(
                    "HEAD", None, "the chain head was changed (its MAC does not match)"
                )

    def feed(self, row: SealedRow) -> Fault | None:
        if self.fault is None:
            self.fault = self._check(row)
            if self.fault is None:
                self.rows += 1
                self._expected, self._prev = row.seq + 1, row.hash
        return self.fault

    def finish(self) -> Verification:
        head = self._head
        if self.fault is None and head is not None and self._expected <= head.last_seq:
            self.fault = Fault(
                "DELETED",
                self._expected,
                f"rows {self._expected}–{head.last_seq} are missing from the end",
            )
        return Verification(self.rows, head, self.fault)

    def _check(self, row: SealedRow) -> Fault | None:
        head = self._head
        if head is None:
            return Fault("HEAD", row.seq, "the chain head is missing but rows exist")
        if not head.first_seq <= row.seq <= head.last_seq:
            return Fault(
                "INSERTED",
                row.seq,
                f"row {row.seq} lies outside the sealed range {head.first_seq}–{head.last_seq}",
            )
        if row.seq != self._expected:
            return Fault("DELETED", self._expected, f"row {self._expected} is missing")
        if not hmac.compare_digest(row.hash, seal(self._key, row.prev_hash, row)):
            return Fault("CHANGED", row.seq, f"row {row.seq} does not match its seal")
        if row.prev_hash != self._prev:
            return Fault("CHANGED", row.seq, f"row {row.seq} does not follow row {row.seq - 1}")
        return None
