"""JWT access tokens in the RFC 9068 profile (`typ: at+jwt`), signed with the hub's keys.

Authlib's OAuth 2.0 server has no async (Starlette) integration, and its maintainers point
to joserfc (their JOSE library that replaces authlib.jose) for tokens; the client
credentials grant itself is small enough to implement directly (see hub/web/oauth.py)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from hub.errors import Unauthenticated
from hub.keys import Keys

TOKEN_TYPE = "at+jwt"
_VERIFIED_CACHE = 10_000


@dataclass(frozen=True)
class TokenClaims:
    client_id: str
    scopes: frozenset[str]
    expires_at: int


class TokenIssuer:
    def __init__(self, keys: Keys, issuer: str, lifetime_seconds: int) -> None:
        self._keys = keys
        self._issuer = issuer
        self._lifetime = lifetime_seconds
        self._registry = JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": issuer},
            exp={"essential": True},
            sub={"essential": True},
        )
        self._verified: dict[str, TokenClaims] = {}

    @property
    def lifetime_seconds(self) -> int:
        return self._lifetime

    def issue(self, client_id: str, scopes: frozenset[str], *, now: int | None = None) -> str:
        issued = int(time.time()) if now is None else now
        key = self._keys.current_signing
        header = {"alg": "ES256", "typ": TOKEN_TYPE, "kid": key.kid}
        claims = {
            "iss": self._issuer,
            "aud": self._issuer,
            "sub": client_id,
            "client_id": client_id,
            "iat": issued,
            "exp": issued + self._lifetime,
            "jti": secrets.token_urlsafe(12),
            "scope": " ".join(sorted(scopes)),
        }
        return jwt.encode(header, claims, key)

    def verify(self, token: str) -> TokenClaims:
        # A token is presented on every request of its 15 minutes: its signature is checked
        # once per process; expiry and revocation are still checked every time.
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify_signature_and_claims(token)
            if len(self._verified) >= _VERIFIED_CACHE:
                self._verified.clear()
            self._verified[token] = claims
        if claims.expires_at <= time.time():
            raise Unauthenticated("invalid access token: the token has expired")
        return claims

    def _verify_signature_and_claims(self, token: str) -> TokenClaims:
        claims = decode_verified(
            token, self._keys.signing, ["ES256"], self._registry, typ=TOKEN_TYPE
        )
        return TokenClaims(
            client_id=str(claims["sub"]), scopes=scopes_of(claims), expires_at=int(claims["exp"])
        )


def decode_verified(
    token: str,
    keys: Any,
    algorithms: Sequence[str],
    registry: JWTClaimsRegistry,
    *,
    typ: str | None = None,
) -> dict[str, Any]:
    """The claims of a token whose signature, `typ` (when given) and claims check out; any
    failure is UNAUTHENTICATED with the reason."""
    try:
        decoded = jwt.decode(token, keys, algorithms=list(algorithms))
        if typ is not None and decoded.header.get("typ", "").lower() != typ:
            raise Unauthenticated(f"not an access token (typ must be {typ})")
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise Unauthenticated(f"invalid access token: {exc.description or exc.error}") from exc
    except ValueError as exc:
        raise Unauthenticated("malformed access token") from exc
    return decoded.claims


def scopes_of(claims: dict[str, Any]) -> frozenset[str]:
    # `scope` is a space-separated string (RFC 9068); some IdPs send `scp`, as a list.
    scope = claims.get("scope", claims.get("scp", ""))
    if isinstance(scope, list):
        return frozenset(str(s) for s in scope)
    return frozenset(str(scope).split())


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a signed JWT, NOT verified: only to choose how to verify it."""
    try:
        signed = jws.extract_compact(token.encode())
        claims = json.loads(signed.payload or b"")
    except (JoseError, ValueError) as exc:
        raise Unauthenticated("malformed access token") from exc
    if not isinstance(claims, dict):
        raise Unauthenticated("malformed access token")
    return dict(signed.headers()), claims
