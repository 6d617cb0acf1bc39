"""The content hash stays the hash every stored record was given: sha256 over
json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")). A record whose hash
changed would read as changed on the next ingest of the same file (a new version and a feed
event for nothing), so the faster encoder must agree with that form to the byte."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.records.drafts import content_hash


def reference_hash(content: Any) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# Text of every kind but lone surrogates (no UTF-8 for them: both forms refuse them alike):
# control characters, quotes, backslashes, U+2028, CJK, astral planes.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: orjson refuses them, json.dumps writes them
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(TEXT, JSON, max_size=6))
def test_any_json_content_hashes_as_the_stored_form(content: dict[str, Any]) -> None:
    assert content_hash(content) == reference_hash(content)


def test_a_record_content_hashes_as_it_always_has() -> None:
    # The shape ValidRecord.content gives, with a detail of every JSON kind.
    content = {
        "subject": "c0ffee00-0000-4000-8000-000000000001",
        "category": "COURT_DEFAULTER",
        "sanctionKind": None,
        "severity": "GENERAL",
        "decidedAt": "2019-07-09",
        "effectiveUntil": None,
        "legalBasis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "summary": '失信被执行人："全部未履行"\n\t\\ \u2028 \x01',
        "detail": {"amount": 12345, "paid": False, "items": ["a", None, 1], "b": {"é": "𠀀"}},
        "status": "ACTIVE",
    }
    assert content_hash(content) == reference_hash(content)
    # Computed with the form every stored hash was taken over (json.dumps), before orjson.
    assert content_hash(content) == (
        "568a7c85d5c148643e97502649c6e0ab2314c102539382c90b41e5ad3cdfaf91"
    )


def test_floats_and_big_integers_keep_json_s_spelling() -> None:
    for detail in ({"rate": 1e-05}, {"big": 1e16}, {"n": 2**70}, {"x": float("nan")}):
        content = {"subject": "s", "detail": detail}
        assert content_hash(content) == reference_hash(content)
