"""Signed checkpoints of the audit chain, kept outside the database.

The chain's head carries a MAC, so rows cannot be changed, removed from the middle or added
without the key. But someone with database access can delete the newest rows and put back a
copy of an older head (its MAC is valid): the chain then verifies, shorter. A checkpoint — the
head's seq and hash at a moment, signed with the hub's signing key (ES256, like reports) and
kept elsewhere (a log server, a ticket, another machine) — catches that: the chain must still
reach the checkpoint's seq with the same hash there."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from joserfc import jws
from joserfc.errors import JoseError

from hub.audit.chain import Head
from hub.keys import Keys

CHECKPOINT_TYPE = "hub-audit-checkpoint+json"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    issuer: str


def sign_checkpoint(keys: Keys, head: Head, issuer: str, at: datetime) -> str:
    document = {
        "seq": head.last_seq,
        "hash": head.last_hash,
        "at": at.isoformat(),
        "issuer": issuer,
    }
    payload = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    key = keys.current_signing
    return jws.serialize_compact(
        {"alg": "ES256", "kid": key.kid, "cty": CHECKPOINT_TYPE}, payload, key
    )


def read_checkpoint(keys: Keys, token: str) -> Checkpoint | str:
    """The checkpoint, or why it cannot be trusted."""
    try:
        compact = jws.deserialize_compact(token.strip(), keys.signing, algorithms=["ES256"])
    except (JoseError, ValueError):
        return "its signature does not verify with this hub's keys"
    if compact.headers().get("cty") != CHECKPOINT_TYPE:
        return "it is signed by this hub but is not an audit checkpoint"
    try:
        document = json.loads(compact.payload)
        return Checkpoint(int(document["seq"]), str(document["hash"]), str(document["at"]),
                          str(document["issuer"]))  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return "its content is not a checkpoint"


def judge(checkpoint: Checkpoint, head: Head | None, hash_at_seq: str | None) -> str | None:
    """Why the chain contradicts the checkpoint, or None. `hash_at_seq`: the stored hash of
    the row at the checkpoint's seq (None when there is no such row)."""
    last = head.last_seq if head is not None else 0
    first = head.first_seq if head is not None else 1
    if last < checkpoint.seq:
        return (
            f"the chain ends at seq {last}, before seq {checkpoint.seq} of the checkpoint of "
            f"{checkpoint.at}: its newest rows were removed (truncated)"
        )
    if checkpoint.seq < first:
        return None  # pruned past it under the retention: nothing left to compare
    if hash_at_seq != checkpoint.hash:
        return (
            f"row {checkpoint.seq} does not have the hash of the checkpoint of "
            f"{checkpoint.at}: the chain was rewritten from there"
        )
    return None
