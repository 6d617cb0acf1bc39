"""Which access tokens the hub accepts: its own, and those of the external issuer it is
configured to trust (HUB_EXTERNAL_ISSUER). The HTTP layer calls `TokenVerifier.verify` and
knows nothing of where a token came from."""

from __future__ import annotations

from hub.auth.external import ExternalIssuer
from hub.auth.tokens import TokenClaims, TokenIssuer, unverified
from hub.settings import Settings


class TokenVerifier:
    def __init__(self, hub: TokenIssuer, external: ExternalIssuer | None = None) -> None:
        self._hub = hub
        self._external = external

    @classmethod
    def from_settings(cls, settings: Settings, hub: TokenIssuer) -> TokenVerifier:
        trusted = settings.external_issuer
        return cls(hub, ExternalIssuer.from_settings(trusted) if trusted else None)

    async def verify(self, token: str) -> TokenClaims:
        # The unverified `iss` only chooses the keys; whichever verifies then checks the
        # issuer again, with the signature.
        if self._external is not None:
            header, claims = unverified(token)
            if claims.get("iss") == self._external.issuer:
                return await self._external.verify(token, header)
        return self._hub.verify(token)
