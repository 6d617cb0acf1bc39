"""Console users and their sessions. Services take a session; the caller commits.

Password hashing is argon2id (argon2-cffi, memory-hard); it costs tens of milliseconds and
runs off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.agencies.models import Agency
from hub.agencies.service import agency_by_uscc
from hub.auth.actor import Actor
from hub.db.base import utcnow
from hub.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from hub.users.models import ConsoleSession, User
from hub.users.rules import (
    after_failure,
    is_locked,
    parse_roles,
    password_problem,
    scopes_of,
    session_alive,
)

_hasher = PasswordHasher()
# Verified when the login is unknown, so the answer takes as long as for a known login.
_DUMMY_HASH = _hasher.hash("no such user in this hub")
LOGIN_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")

SIGN_IN_FAILED = "登录名或密码不正确"


class AccountLocked(Unauthenticated):
    code = "ACCOUNT_LOCKED"


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str  # for the cookie only; the database keeps its hash
    csrf_token: str


@dataclass(frozen=True)
class Current:
    """The user of a live session, with the actor the services judge."""

    user: User
    agency: Agency
    session: ConsoleSession
    actor: Actor


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_user(
    session: AsyncSession,
    *,
    login: str,
    display_name: str,
    agency_uscc: str,
    roles: str,
    password: str,
) -> User:
    login = login.strip().lower()
    if not login or not set(login) <= LOGIN_CHARACTERS or len(login) > 64:
        raise InvalidInput(
            "a login is 1-64 characters of a-z, 0-9, '.', '_' or '-'",
            field="login",
            zh="登录名只能由小写字母、数字和 . _ - 组成，最多 64 个字符",
        )
    if not display_name.strip():
        raise InvalidInput("a user needs a name", field="displayName", zh="请填写姓名")
    role_set = _roles(roles)
    _refuse_weak(password, login)
    agency = await agency_by_uscc(session, agency_uscc)
    if await session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict(f"the login {login} is taken", field="login", zh="该登录名已被使用")
    user = User(
        login=login,
        display_name=display_name.strip(),
        agency_id=agency.id,
        roles=" ".join(sorted(role_set)),
        password_hash=await asyncio.to_thread(_hasher.hash, password),
        failed_logins=0,
    )
    session.add(user)
    await session.flush()
    return user


def _roles(text: str) -> frozenset[str]:
    try:
        return parse_roles(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="roles", zh="角色名称不正确") from exc


def _refuse_weak(password: str, login: str) -> None:
    problem = password_problem(password, login)
    if problem is not None:
        raise InvalidInput("the password is too weak: " + problem, field="password", zh=problem)


async def set_roles(session: AsyncSession, login: str, roles: str) -> User:
    user = await _user(session, login)
    user.roles = " ".join(sorted(_roles(roles)))
    await session.flush()
    return user


async def disable_user(session: AsyncSession, login: str) -> User:
    """A disabled user's sessions end at once; the account stays for the audit trail."""
    user = await _user(session, login)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        await _end_sessions_of(session, user.id)
    return user


async def list_users(session: AsyncSession) -> list[tuple[User, Agency]]:
    rows = await session.execute(
        select(User, Agency).join(Agency, Agency.id == User.agency_id).order_by(User.login)
    )
    return [(user, agency) for user, agency in rows]


async def _user(session: AsyncSession, login: str) -> User:
    user = await session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        raise NotFound(f"no user {login}", field="login", zh="没有这个用户")
    return user


async def sign_in(session: AsyncSession, login: str, password: str) -> SignedIn:
    """Raises Unauthenticated (one message for an unknown login and a wrong password) or
    AccountLocked. A wrong password is counted even when the caller rolls back nothing:
    the count is flushed in the caller's transaction, which the console commits."""
    now = utcnow()
    user = await session.scalar(select(User).where(User.login == login.strip().lower()))
    stored = user.password_hash if user is not None else _DUMMY_HASH
    matches = await asyncio.to_thread(_verify, stored, password)
    if user is None or user.disabled_at is not None:
        raise Unauthenticated("sign-in failed", zh=SIGN_IN_FAILED)
    if is_locked(user.locked_until, now):
        raise AccountLocked("the account is locked", zh=_locked_text(user.locked_until, now))
    if not matches:
        user.failed_logins, user.locked_until = after_failure(user.failed_logins, now)
        await session.flush()
        if user.locked_until is not None:
            raise AccountLocked("the account is locked", zh=_locked_text(user.locked_until, now))
        raise Unauthenticated("sign-in failed", zh=SIGN_IN_FAILED)
    user.failed_logins, user.locked_until = 0, None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(ConsoleSession(token_hash=_hash_token(token), user_id=user.id, csrf_token=csrf))
    await session.flush()
    return SignedIn(user, token, csrf)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_text(until: datetime | None, now: datetime) -> str:
    minutes = max(1, int(((until or now) - now).total_seconds() // 60) + 1)
    return f"连续多次密码错误，账号已锁定，请 {minutes} 分钟后再试或联系管理员"


async def resume(session: AsyncSession, token: str, idle: timedelta) -> Current | None:
    """The live session of a cookie, touched; None when it is unknown, ended or expired."""
    now = utcnow()
    row = (
        await session.execute(
            select(ConsoleSession, User, Agency)
            .join(User, User.id == ConsoleSession.user_id)
            .join(Agency, Agency.id == User.agency_id)
            .where(ConsoleSession.token_hash == _hash_token(token))
        )
    ).one_or_none()
    if row is None:
        return None
    console_session, user, agency = row
    alive = session_alive(console_session.created_at, console_session.last_seen_at, now, idle)
    if console_session.ended_at is not None or user.disabled_at is not None or not alive:
        if console_session.ended_at is None:
            console_session.ended_at = now
        return None
    console_session.last_seen_at = now
    return Current(user, agency, console_session, actor_for(user, agency))


def actor_for(user: User, agency: Agency) -> Actor:
    return Actor(
        client_id=None,
        user=user.login,
        agency_id=user.agency_id,
        scopes=scopes_of(user.role_set),
        region_code=agency.region_code,
    )


async def sign_out(session: AsyncSession, current: Current) -> None:
    await session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.token_hash == current.session.token_hash)
        .values(ended_at=utcnow())
    )


async def change_password(session: AsyncSession, current: Current, old: str, new: str) -> None:
    """Ends the user's other sessions: a changed password locks out whoever knew the old.
    `current` is only read: the user is loaded again in this transaction."""
    user = await session.get(User, current.user.id)
    if user is None or not await asyncio.to_thread(_verify, user.password_hash, old):
        raise InvalidInput("the current password is wrong", field="old", zh="当前密码不正确")
    if new == old:
        raise InvalidInput("choose a new password", field="new", zh="新密码不能与当前密码相同")
    _refuse_weak(new, user.login)
    user.password_hash = await asyncio.to_thread(_hasher.hash, new)
    user.password_changed_at = utcnow()
    await _end_sessions_of(session, user.id, keep=current.session.token_hash)


async def _end_sessions_of(session: AsyncSession, user_id: int, keep: str | None = None) -> None:
    query = (
        update(ConsoleSession)
        .where(ConsoleSession.user_id == user_id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    if keep is not None:
        query = query.where(ConsoleSession.token_hash != keep)
    await session.execute(query)
    await session.flush()


async def ensure_user(
    session: AsyncSession,
    *,
    login: str,
    display_name: str,
    agency_uscc: str,
    roles: str,
    password: str,
) -> bool:
    """A user with a fixed login (the demo's), added unless present. Returns True if added;
    an existing user keeps their password and roles."""
    if await session.scalar(select(User.id).where(User.login == login)) is not None:
        return False
    await add_user(
        session,
        login=login,
        display_name=display_name,
        agency_uscc=agency_uscc,
        roles=roles,
        password=password,
    )
    return True
