"""Opaque Relay cursors: a kind and a position, base64-encoded so callers do not build them."""

from __future__ import annotations

import base64

from hub.errors import InvalidInput


def encode_cursor(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()


def decode_cursor(kind: str, cursor: str) -> int:
    try:
        found, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if found != kind:
            raise ValueError(found)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("not a cursor this API returned", field="after") from exc
