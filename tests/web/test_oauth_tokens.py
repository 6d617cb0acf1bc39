"""OAuth 2.0 client credentials (RFC 6749 §4.4) and bearer-token enforcement on /graphql."""

from __future__ import annotations

import base64
import time

from support import get_token, gql, make_client

from hub.auth.tokens import TokenIssuer

ME = "{ records(first: 1) { edges { cursor } } }"


async def test_client_secret_basic_issues_a_jwt_access_token(http, db):
    credentials = await make_client(db, "check:hiring records:read")
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials.client_id, credentials.client_secret),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "check:hiring records:read"
    assert response.headers["cache-control"] == "no-store"
    header = body["access_token"].split(".")[0]
    assert b'"typ":"at+jwt"' in base64.urlsafe_b64decode(header + "==")


async def test_client_secret_post_is_accepted(http, db):
    credentials = await make_client(db, "check:hiring")
    response = await http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
    )
    assert response.status_code == 200


async def test_two_authentication_methods_at_once_are_refused(http, db):
    credentials = await make_client(db, "check:hiring")
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": credentials.client_secret},
        auth=(credentials.client_id, credentials.client_secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_a_wrong_secret_is_invalid_client(http, db):
    credentials = await make_client(db, "check:hiring")
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials.client_id, "not-the-secret"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_other_grant_types_are_unsupported(http, db):
    credentials = await make_client(db, "check:hiring")
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "password"},
        auth=(credentials.client_id, credentials.client_secret),
    )
    assert response.json()["error"] == "unsupported_grant_type"


async def test_a_scope_the_client_does_not_hold_is_invalid_scope(http, db):
    credentials = await make_client(db, "check:hiring")
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "check:hiring records:read:pii"},
        auth=(credentials.client_id, credentials.client_secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert "records:read:pii" in response.json()["error_description"]


async def test_graphql_without_a_token_is_401_with_a_bearer_challenge(http, db):
    response = await gql(http, None, ME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_forged_token_is_401(http, db):
    credentials = await make_client(db, "records:read")
    token = await get_token(http, credentials)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert (await gql(http, forged, ME)).status_code == 401


async def test_an_expired_token_is_401(http, db, app):
    credentials = await make_client(db, "records:read")
    issuer: TokenIssuer = app.web.tokens
    old = issuer.issue(
        credentials.client_id, frozenset({"records:read"}), now=int(time.time()) - 3600
    )
    response = await gql(http, old, ME)
    assert response.status_code == 401


async def test_revoking_a_client_stops_its_issued_tokens_at_once(http, db):
    from hub.auth.service import revoke_client

    credentials = await make_client(db, "records:read")
    token = await get_token(http, credentials)
    assert (await gql(http, token, ME)).status_code == 200
    async with db.sessions.begin() as session:
        await revoke_client(session, credentials.client_id)
    assert (await gql(http, token, ME)).status_code == 401


async def test_a_missing_scope_is_forbidden_and_names_the_scope(http, db):
    credentials = await make_client(db, "check:hiring")
    token = await get_token(http, credentials)
    body = (await gql(http, token, ME)).json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "records:read" in error["message"]


async def test_a_check_purpose_needs_its_own_scope(http, db):
    credentials = await make_client(db, "check:hiring")
    token = await get_token(http, credentials)
    query = """query($i: CheckInput!) { check(input: $i) { verdict } }"""
    variables = {
        "i": {"purpose": "AWARD", "subject": {"idNumber": "11010519491231002X"}, "reference": "R"}
    }
    [error] = (await gql(http, token, query, variables)).json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "check:award" in error["message"]


async def test_the_signing_key_is_published_as_jwks(http, db, keys):
    body = (await http.get("/.well-known/jwks.json")).json()
    [key] = body["keys"]
    assert key["kid"] == keys.current_signing.kid
    assert "d" not in key  # never the private part
