"""Who is calling, as a Starlette authentication backend: a bearer token is verified (the
hub's own, or an external issuer's) and becomes the request's user; no Authorization header
is an anonymous caller, whom each endpoint admits or not. A bad token is refused here, once,
with 401 UNAUTHENTICATED."""

from __future__ import annotations

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import Response

from hub.auth.tokens import TokenClaims
from hub.errors import Unauthenticated
from hub.web.responses import unauthorized
from hub.web.state import web_state

SEND_A_TOKEN = "send an access token: Authorization: Bearer <token> (see /oauth/token)"


class ClientUser(BaseUser):
    """An agency system, by the verified claims of its access token."""

    def __init__(self, claims: TokenClaims) -> None:
        self.claims = claims

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.claims.client_id


class TokenBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            # /oauth/token reads its own Basic credentials; elsewhere this is no token at all.
            return None
        try:
            claims = await web_state(conn).verifier.verify(token.strip())
        except Unauthenticated as exc:
            raise AuthenticationError(exc.message) from exc
        return AuthCredentials(sorted(claims.scopes)), ClientUser(claims)


def on_auth_error(_: HTTPConnection, exc: AuthenticationError) -> Response:
    return unauthorized(str(exc))


def claims_of(conn: HTTPConnection) -> TokenClaims | None:
    """The caller's verified claims, or None for an anonymous caller."""
    user = conn.scope.get("user")
    return user.claims if isinstance(user, ClientUser) else None


def bearer_required(conn: HTTPConnection) -> TokenClaims:
    """The claims of an endpoint that admits no anonymous caller."""
    claims = claims_of(conn)
    if claims is None:
        raise Unauthenticated(SEND_A_TOKEN)
    return claims
