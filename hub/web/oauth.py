"""`POST /oauth/token`: the OAuth 2.0 client credentials grant (RFC 6749 §4.4).

Client authentication by HTTP Basic (client_secret_basic) or form fields
(client_secret_post), never both; errors in the RFC 6749 §5.2 JSON form. This is where
secrets are guessed (and each guess costs a scrypt): attempts are rate limited per caller
address and per client id (HUB_TOKEN_RATE_LIMIT)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse

from hub.auth import service
from hub.auth.scopes import parse_scopes
from hub.errors import Unauthenticated
from hub.web.state import web_state

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# The `client` label of the rate_limited counter for refusals here: the client id of a token
# request is not authenticated yet, and any string as a label value would be unbounded.
TOKEN_ENDPOINT = "/oauth/token"


def oauth_error(
    error: str, description: str, status: int = 400, basic: bool = False
) -> JSONResponse:
    headers = dict(_NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="hub"' if basic else 'Bearer realm="hub"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


async def token_endpoint(request: Request) -> JSONResponse:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return oauth_error(
            "invalid_request", "send the request as application/x-www-form-urlencoded"
        )
    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}
    header = request.headers.get("authorization")
    basic = _basic_credentials(header) if header else None
    if header and basic is None:
        return oauth_error("invalid_client", "malformed Basic authorization header", 401, True)
    if basic and ("client_secret" in fields):
        return oauth_error("invalid_request", "use one client authentication method, not two")
    client_id, secret = basic or (fields.get("client_id", ""), fields.get("client_secret", ""))
    if not client_id or not secret:
        return oauth_error("invalid_client", "client authentication is required", 401, True)
    if fields.get("grant_type") != "client_credentials":
        return oauth_error(
            "unsupported_grant_type",
            "this endpoint issues tokens for grant_type=client_credentials",
        )

    limited = await _rate_limited(request, client_id)
    if limited is not None:
        return limited
    web = web_state(request)
    issuer = web.tokens
    async with web.runtime.sessions() as session:
        try:
            client = await service.authenticate_client(session, client_id, secret)
        except Unauthenticated:
            return oauth_error(
                "invalid_client", "client authentication failed", 401, basic is not None
            )
    granted = client.scope_set
    if fields.get("scope"):
        try:
            requested = parse_scopes(fields["scope"])
        except ValueError as exc:
            return oauth_error("invalid_scope", str(exc))
        if not requested <= granted:
            extra = ", ".join(sorted(requested - granted))
            return oauth_error("invalid_scope", f"this client does not hold: {extra}")
        granted = requested
    token = issuer.issue(client.id, granted)
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": issuer.lifetime_seconds,
            "scope": " ".join(sorted(granted)),
        },
        headers=_NO_STORE,
    )


async def _rate_limited(request: Request, client_id: str) -> JSONResponse | None:
    web = web_state(request)
    limiter = web.token_rate_limiter
    address = request.client.host if request.client else "unknown"
    # The address first: a caller over its limit does not spend the client's budget. Then the
    # client *from this address*: guesses of a client's secret from elsewhere never lock the
    # client itself out.
    wait = await limiter.retry_after(None, address) or await limiter.retry_after(
        client_id, address, together=True
    )
    if wait is None:
        return None
    web.metrics.rate_limited.labels(TOKEN_ENDPOINT).inc()
    # RFC 6749 has no error code for this, and `slow_down` (RFC 8628) means "poll for a
    # device code less often", with a 400. 429 with Retry-After (RFC 6585) is what HTTP
    # clients and proxies understand as "wait"; the body keeps the §5.2 shape so that OAuth
    # client libraries can still read it.
    response = oauth_error(
        "rate_limited", f"too many token requests; retry after {wait} s", status=429
    )
    response.headers["Retry-After"] = str(wait)
    return response
