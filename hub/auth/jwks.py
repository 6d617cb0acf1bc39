"""An external issuer's public keys: from a JWKS file, read once at start-up, or from a JWKS
URL, fetched when first needed, cached, and fetched again when a token names a key id the
cached set lacks (an IdP publishes its next key before signing with it)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from hub.errors import ConfigurationError, Unauthenticated

log = logging.getLogger("hub.auth")

# A token with an unknown kid costs at most one fetch in this many seconds: tokens with
# made-up kids cannot make the hub hammer the IdP.
MIN_REFETCH_SECONDS = 30.0
# Keys the IdP has withdrawn (a compromised key) stop verifying within this time.
MAX_AGE_SECONDS = 3600.0
FETCH_TIMEOUT_SECONDS = 5.0


class KeySource(Protocol):
    async def key_set(self, kid: str | None) -> KeySet:
        """The keys to verify a token whose header names `kid`."""
        ...


class FileKeys:
    def __init__(self, path: Path) -> None:
        try:
            self._keys = public_key_set(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"cannot read the JWKS file HUB_EXTERNAL_JWKS={path}: {exc}",
                field="HUB_EXTERNAL_JWKS",
            ) from exc

    async def key_set(self, kid: str | None) -> KeySet:
        return self._keys


class RemoteKeys:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = FETCH_TIMEOUT_SECONDS,
        min_refetch: float = MIN_REFETCH_SECONDS,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._min_refetch = min_refetch
        self._max_age = max_age
        self._clock = clock
        self._keys: KeySet | None = None
        self._kids: frozenset[str] = frozenset()
        self._fetched_at = 0.0
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()  # concurrent requests share one fetch

    async def key_set(self, kid: str | None) -> KeySet:
        # A fetch under way may bring the key this token needs: wait for it.
        if self._wants_fetch(kid) or self._lock.locked():
            async with self._lock:
                if self._wants_fetch(kid):
                    await self._fetch()
        if self._keys is None:
            raise Unauthenticated(
                "cannot verify the token: the keys of its issuer are unavailable; try again later"
            )
        return self._keys

    def _wants_fetch(self, kid: str | None) -> bool:
        now = self._clock()
        if self._attempted_at is not None and now - self._attempted_at < self._min_refetch:
            return False
        return (
            self._keys is None
            or now - self._fetched_at >= self._max_age
            or (kid is not None and kid not in self._kids)
        )

    async def _fetch(self) -> None:
        self._attempted_at = self._clock()
        try:
            async with asyncio.timeout(self._timeout), httpx.AsyncClient() as client:
                response = await client.get(self._url, timeout=self._timeout)
                response.raise_for_status()
            keys = public_key_set(response.json())
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, ValueError) as exc:
            # The keys fetched before (if any) stay in use: an IdP that is down for a while
            # does not lock out the tokens it has already signed.
            log.warning("cannot fetch the JWKS at %s: %s: %s", self._url, type(exc).__name__, exc)
            return
        self._keys, self._fetched_at = keys, self._attempted_at
        self._kids = frozenset(str(key.kid) for key in keys)


def public_key_set(document: Any) -> KeySet:
    """Refuses a document that is not a JWKS, or that holds private or symmetric keys: an
    issuer publishes public keys, and a shared secret would let anyone holding it sign."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError('a JWKS is a JSON object {"keys": [{...}, ...]}')
    for entry in entries:
        if entry.get("kty") == "oct" or "d" in entry:
            raise ValueError(f"key {entry.get('kid')!r} is not a public key")
    try:
        return KeySet.import_key_set({"keys": entries})
    except (JoseError, KeyError, TypeError) as exc:
        raise ValueError(f"not a valid JWKS: {exc}") from exc
