"""Clients (agency systems) and their credentials. Services take a session; the caller commits."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.access.rules import jurisdiction_prefix
from hub.agencies.models import Agency
from hub.auth.actor import Actor
from hub.auth.models import Client
from hub.auth.scopes import parse_scopes
from hub.auth.tokens import TokenClaims
from hub.db.base import utcnow
from hub.errors import InvalidInput, NotFound, Unauthenticated

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class IssuedClient:
    client: Client
    secret: str


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def secret_matches(secret: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


_DUMMY_HASH = hash_secret("no such client")


async def add_client(
    session: AsyncSession,
    *,
    name: str,
    agency_uscc: str,
    scopes: str,
    client_id: str | None = None,
    jurisdiction: str | None = None,
) -> IssuedClient:
    prefix = jurisdiction_prefix(jurisdiction) if jurisdiction else None
    try:
        scope_set = parse_scopes(scopes)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="scopes") from exc
    if not scope_set:
        raise InvalidInput("a client needs at least one scope", field="scopes")
    agency = await session.scalar(select(Agency).where(Agency.uscc == agency_uscc.upper()))
    if agency is None:
        raise NotFound(
            f"no agency with USCC {agency_uscc}; register the agency first", field="agency"
        )
    secret = secrets.token_urlsafe(32)
    client = Client(
        id=client_id or "c_" + secrets.token_hex(8),
        name=name,
        agency_id=agency.id,
        scopes=" ".join(sorted(scope_set)),
        secret_hash=hash_secret(secret),
        jurisdiction=prefix,
    )
    session.add(client)
    await session.flush()
    return IssuedClient(client, secret)


async def ensure_client(
    session: AsyncSession,
    *,
    client_id: str,
    name: str,
    agency_uscc: str,
    scopes: str,
    known_secret: str | None,
) -> str:
    """A client with a fixed id (the demo's): keeps `known_secret` if it still matches,
    otherwise issues a new secret. Returns the valid secret."""
    client = await session.get(Client, client_id)
    if client is None:
        issued = await add_client(
            session, name=name, agency_uscc=agency_uscc, scopes=scopes, client_id=client_id
        )
        return issued.secret
    still_valid = (
        known_secret is not None
        and client.revoked_at is None
        and await asyncio.to_thread(secret_matches, known_secret, client.secret_hash)
    )
    if still_valid and known_secret:
        return known_secret
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_secret(secret)
    client.revoked_at = None
    await session.flush()
    return secret


async def list_clients(session: AsyncSession) -> list[tuple[Client, Agency]]:
    rows = await session.execute(
        select(Client, Agency)
        .join(Agency, Client.agency_id == Agency.id)
        .order_by(Client.created_at)
    )
    return [(client, agency) for client, agency in rows]


async def revoke_client(session: AsyncSession, client_id: str) -> Client:
    client = await session.get(Client, client_id)
    if client is None:
        raise NotFound(f"no client {client_id}", field="client_id")
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        await session.flush()
    return client


async def authenticate_client(session: AsyncSession, client_id: str, secret: str) -> Client:
    client = await session.get(Client, client_id)
    # Hash even when the client is unknown, so timing does not reveal which ids exist;
    # scrypt is deliberately slow, so it runs off the event loop.
    stored = client.secret_hash if client else _DUMMY_HASH
    matches = await asyncio.to_thread(secret_matches, secret, stored)
    if not matches or client is None or client.revoked_at is not None:
        raise Unauthenticated("client authentication failed")
    return client


# Built once: every request with a token runs it (building it took 1 % of a check's CPU).
_CLIENT_OF_TOKEN = (
    select(
        Client.agency_id,
        Client.scopes,
        Client.revoked_at,
        Client.jurisdiction,
        Agency.region_code,
    )
    .join(Agency, Agency.id == Client.agency_id)
    .where(Client.id == bindparam("client_id"))
)


async def actor_for_token(session: AsyncSession, claims: TokenClaims) -> Actor:
    """Revocation and scope reductions take effect at once, even for tokens already issued."""
    row = (await session.execute(_CLIENT_OF_TOKEN, {"client_id": claims.client_id})).one_or_none()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("the client of this token is unknown or revoked")
    scopes = claims.scopes & frozenset(row.scopes.split())
    return Actor(
        client_id=claims.client_id,
        agency_id=row.agency_id,
        scopes=scopes,
        jurisdiction=row.jurisdiction,
        region_code=row.region_code,
    )
