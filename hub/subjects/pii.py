"""Personal data at rest: keyed hashes for lookup, AES-GCM for the values themselves."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.keys import PiiKeys

_NONCE = 12


class PiiCipher:
    def __init__(self, keys: PiiKeys) -> None:
        self._hmac_key = keys.hmac_key
        self._aead = AESGCM(keys.enc_key)

    def lookup_hash(self, value: str, *, purpose: str = "id") -> str:
        # The purpose label keeps an ID-number hash from ever equalling a name hash.
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._hmac_key, message, hashlib.sha256).hexdigest()

    def encrypt(self, value: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, value.encode(), None)

    def decrypt(self, blob: bytes) -> str:
        return self.decrypt_bytes(blob).decode()

    def encrypt_bytes(self, value: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, value, None)

    def decrypt_bytes(self, blob: bytes) -> bytes:
        return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], None)
