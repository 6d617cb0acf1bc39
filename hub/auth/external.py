"""Access tokens from a trusted external issuer (an agency's or the province's IdP).

The IdP vouches for who is calling; the hub still decides what the caller may do. The token
names a client registered here, and `actor_for_token` refuses an unknown or revoked client
and cuts the token's scopes to the client's, exactly as for the hub's own tokens."""

from __future__ import annotations

from typing import Any

from joserfc.jwt import JWTClaimsRegistry

from hub.auth.jwks import FileKeys, KeySource, RemoteKeys
from hub.auth.tokens import TokenClaims, decode_verified, scopes_of, unverified
from hub.errors import Unauthenticated
from hub.settings import TrustedIssuer

# Asymmetric signatures only: `none` proves nothing, and with HS* anyone who can read the
# JWKS (public) could sign.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
# Another organisation's clock: a little tolerance for `exp`, `nbf` and `iat`.
CLOCK_SKEW_SECONDS = 30


class ExternalIssuer:
    def __init__(self, issuer: str, audience: str, keys: KeySource) -> None:
        self.issuer = issuer
        self._keys = keys
        self._registry = JWTClaimsRegistry(
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
        )

    @classmethod
    def from_settings(cls, trusted: TrustedIssuer) -> ExternalIssuer:
        if trusted.jwks_url is not None:
            keys: KeySource = RemoteKeys(trusted.jwks_url)
        else:
            assert trusted.jwks_file is not None
            keys = FileKeys(trusted.jwks_file)
        return cls(trusted.issuer, trusted.audience, keys)

    async def verify(self, token: str, header: dict[str, Any] | None = None) -> TokenClaims:
        """`header`: the token's unverified header, when the caller has read it already."""
        if header is None:
            header, _ = unverified(token)
        kid = header.get("kid")
        key_set = await self._keys.key_set(kid if isinstance(kid, str) else None)
        claims = decode_verified(token, key_set, ALGORITHMS, self._registry)
        return TokenClaims(
            client_id=_client_id(claims), scopes=scopes_of(claims), expires_at=int(claims["exp"])
        )


def _client_id(claims: dict[str, Any]) -> str:
    # RFC 9068 names the client `client_id`; IdPs that predate it use `azp`, and a client
    # credentials token's subject is the client itself.
    for name in ("client_id", "azp", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    raise Unauthenticated("the access token names no client (client_id, azp or sub)")
