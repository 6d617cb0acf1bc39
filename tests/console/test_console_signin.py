"""Signing in to the console: argon2 passwords, lock-out, CSRF, roles, session end."""

from __future__ import annotations

from datetime import timedelta

from console_support import PASSWORD, csrf_of, form_token, person_with_roles, sign_in
from sqlalchemy import select, update

from hub.db.base import utcnow
from hub.users.models import ConsoleSession, User
from hub.users.rules import FAILURES_BEFORE_LOCK


async def test_a_page_sends_a_stranger_to_sign_in(http):
    answer = await http.get("/check")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/check"


async def test_signing_in_sets_a_strict_httponly_cookie_and_stores_only_a_hash(http, db):
    await person_with_roles(db, "wangmin", "checker")
    answer = await sign_in(http, "wangmin")
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    token = http.cookies["hub_console"]
    async with db.sessions() as session:
        stored = list(await session.scalars(select(ConsoleSession.token_hash)))
        hashed = (await session.scalar(select(User.password_hash))) or ""
    assert stored and token not in stored
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    page = await http.get("/")
    assert page.status_code == 200 and "测试用户wangmin" in page.text


async def test_a_wrong_password_is_refused_in_chinese_and_repeated_failures_lock_the_account(
    http, db
):
    await person_with_roles(db, "liqiang", "checker")
    for _ in range(FAILURES_BEFORE_LOCK - 1):
        answer = await sign_in(http, "liqiang", "wrong-password-1")
        assert answer.status_code == 401 and "登录名或密码不正确" in answer.text
    locked = await sign_in(http, "liqiang", "wrong-password-1")
    assert locked.status_code == 401 and "账号已锁定" in locked.text
    # Locked: even the right password is refused until the lock runs out.
    still = await sign_in(http, "liqiang")
    assert still.status_code == 401 and "账号已锁定" in still.text
    async with db.sessions.begin() as session:
        await session.execute(update(User).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert (await sign_in(http, "liqiang")).status_code == 303


async def test_an_unknown_login_gets_the_same_answer_as_a_wrong_password(http, db):
    answer = await sign_in(http, "nobody")
    assert answer.status_code == 401 and "登录名或密码不正确" in answer.text


async def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(http, db):
    await person_with_roles(db, "zhaolei", "checker")
    await sign_in(http, "zhaolei")
    await form_token(http, "/password")
    forged = await http.post(
        "/password",
        data={"old": PASSWORD, "new": "Another-Pass-2026", "again": "Another-Pass-2026"},
    )
    assert forged.status_code == 403 and "安全校验未通过" in forged.text
    await http.post("/logout", data={"csrf_token": await form_token(http, "/")})
    # The password is unchanged.
    assert (await sign_in(http, "zhaolei")).status_code == 303


async def test_a_user_without_the_role_does_not_see_the_page_or_its_menu_entry(http, db):
    await person_with_roles(db, "handler", "objection-handler")
    await sign_in(http, "handler")
    home = await http.get("/")
    assert 'href="/check"' not in home.text and 'href="/admin"' not in home.text
    for path in ("/check", "/batch", "/admin"):
        refused = await http.get(path)
        assert refused.status_code == 403 and "没有使用此页面的权限" in refused.text


async def test_an_idle_session_ends_and_signing_out_ends_it_on_the_server(serve, db):
    await person_with_roles(db, "idle", "checker")
    async with serve(console_idle_minutes=5) as hub:
        await sign_in(hub.http, "idle")
        assert (await hub.http.get("/check")).status_code == 200
        async with db.sessions.begin() as session:
            await session.execute(
                update(ConsoleSession).values(last_seen_at=utcnow() - timedelta(minutes=6))
            )
        expired = await hub.http.get("/check")
        assert expired.status_code == 303 and expired.headers["location"].startswith("/login")
        await sign_in(hub.http, "idle")
        cookie = hub.http.cookies["hub_console"]
        await hub.http.post("/logout", data={"csrf_token": await form_token(hub.http, "/")})
        # The old cookie, replayed, opens nothing: the session ended on the server.
        hub.http.cookies.set("hub_console", cookie)
        assert (await hub.http.get("/check")).status_code == 303


async def test_changing_the_password_ends_the_users_other_sessions(serve, db):
    await person_with_roles(db, "moving", "checker")
    async with serve() as hub:
        other = hub.client("10.0.0.2")
        try:
            await sign_in(other, "moving")
            await sign_in(hub.http, "moving")
            page = await hub.http.get("/password")
            changed = await hub.http.post(
                "/password",
                data={
                    "csrf_token": csrf_of(page),
                    "old": PASSWORD,
                    "new": "Brand-New-Pass-77",
                    "again": "Brand-New-Pass-77",
                },
            )
            assert changed.status_code == 200 and "密码已修改" in changed.text
            assert (await hub.http.get("/check")).status_code == 200
            assert (await other.get("/check")).status_code == 303
        finally:
            await other.aclose()


async def test_a_weak_new_password_is_refused_next_to_its_field(http, db):
    await person_with_roles(db, "weak", "checker")
    await sign_in(http, "weak")
    page = await http.get("/password")
    answer = await http.post(
        "/password",
        data={"csrf_token": csrf_of(page), "old": PASSWORD, "new": "short", "again": "short"},
    )
    assert answer.status_code == 400
    assert 'id="new-error"' in answer.text and "至少 10 个字符" in answer.text
