"""登录, 退出, 修改密码."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.console.pages import (
    COOKIE,
    View,
    page,
    render,
    safe_next,
    set_session_cookie,
    signed_in,
)
from hub.errors import HubError, Unauthenticated
from hub.users.service import change_password, sign_in, sign_out
from hub.web.state import web_state


async def login(request: Request) -> Response:
    """No CSRF token before a session exists; SameSite=Strict and a fresh session token on
    every sign-in keep a forged sign-in from fixing a session on the officer."""
    web = web_state(request)
    target = safe_next(request.query_params.get("next", "/"))
    if request.method == "GET":
        if await signed_in(web, request) is not None:
            return RedirectResponse(target, 303)
        return render(request, "login.html", next=target, login="", error=None)
    form = await request.form()
    login_name = str(form.get("login", "")).strip()
    password = str(form.get("password", ""))
    if not login_name or not password:
        return render(
            request, "login.html", 400, next=target, login=login_name, error="请输入登录名和密码"
        )
    try:
        # The failure count must be kept even though sign-in fails: commit either way.
        async with web.runtime.sessions.begin() as session:
            try:
                signed = await sign_in(session, login_name, password)
            except Unauthenticated as failed:
                refused: HubError | None = failed
            else:
                refused = None
    except HubError as error:
        refused = error
    if refused is not None:
        return render(
            request, "login.html", 401, next=target, login=login_name, error=refused.for_officers
        )
    response = RedirectResponse(target, 303)
    set_session_cookie(response, signed.token, web.runtime.settings.is_production)
    return response


@page()
async def logout(view: View) -> Response:
    async with view.runtime.sessions.begin() as session:
        await sign_out(session, view.current)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response


@page()
async def password(view: View) -> Response:
    if view.form is None:
        return view.render("password.html", done=False)
    # Passwords as typed: no trimming.
    old, new = str(view.form.get("old", "")), str(view.form.get("new", ""))
    if new != str(view.form.get("again", "")):
        view.errors["again"] = "两次输入的新密码不一致"
        return view.render("password.html", 400, done=False)
    try:
        async with view.runtime.sessions.begin() as session:
            await change_password(session, view.current, old, new)
    except HubError as error:
        # The service names the new password `password`; this form calls it `new`.
        field = "new" if error.field in (None, "password") else error.field
        view.errors[field] = error.for_officers
        return view.render("password.html", 400, done=False)
    return view.render("password.html", done=True)
