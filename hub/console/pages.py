"""What every console page shares: the signed-in user (a server-side session behind an
HttpOnly, SameSite=Strict cookie), the CSRF check of every form, the role a page needs, and
rendering in Chinese with headers that keep the page to itself (CSP, no framing, no cache).

A page handler receives a `View` and returns a response; it calls the same services as the
API, inside `view.acting()`: one transaction as the user's actor, filtered by hub.access and
audited like an API request."""

from __future__ import annotations

import contextlib
import functools
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hub import clock
from hub.alerts.service import WARNING_SCOPES
from hub.auth.actor import Actor
from hub.auth.scopes import (
    ADMIN,
    CHECK_SCOPES,
    CLUES_MANAGE,
    COMMITMENTS_MANAGE,
    EVALUATION_MANAGE,
    EVALUATION_READ,
    OBJECTIONS_MANAGE,
    RECORDS_READ,
    REPAIR_DECIDE,
)
from hub.errors import HubError
from hub.runtime import Runtime
from hub.users.service import Current, resume
from hub.web.middleware import REQUEST_ID
from hub.web.sessions import CallerSession, actor_session
from hub.web.state import WebState, web_state

COOKIE = "hub_console"
CSRF_FIELD = "csrf_token"

templates = Environment(
    # The report's body is shared with the API's report page (hub.web.report_page).
    loader=ChoiceLoader(
        [PackageLoader("hub.console", "templates"), PackageLoader("hub.web", "templates")]
    ),
    autoescape=select_autoescape(["html"]),
    enable_async=False,
)
templates.filters["beijing"] = lambda at: (
    f"{at.astimezone(clock.CHINA):%Y-%m-%d %H:%M}" if at else ""
)

# The menu: (path, label, any of these scopes; empty: every signed-in user).
MENU: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/", "概览", frozenset()),
    ("/check", "核查", frozenset(CHECK_SCOPES)),
    ("/batch", "批量核查", frozenset(CHECK_SCOPES)),
    ("/archive", "诚信档案", frozenset({RECORDS_READ})),
    ("/objections", "异议", frozenset()),
    ("/repairs", "信用修复", frozenset()),
    ("/evaluation", "诚信评价", frozenset({EVALUATION_READ, EVALUATION_MANAGE, ADMIN})),
    ("/warnings", "监测预警", frozenset(WARNING_SCOPES)),
    ("/commitments", "承诺台账", frozenset({COMMITMENTS_MANAGE, EVALUATION_READ, ADMIN})),
    ("/clues", "失信线索", frozenset({CLUES_MANAGE, EVALUATION_READ, ADMIN})),
    ("/admin", "管理", frozenset({ADMIN})),
)
HANDLERS = frozenset({OBJECTIONS_MANAGE, REPAIR_DECIDE})

SECURITY_HEADERS = {
    # Everything the console loads is its own: no CDN, no inline script.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages may show personal data: never kept in a shared cache or the back-forward cache.
    "Cache-Control": "no-store",
}


@dataclass
class View:
    request: Request
    web: WebState
    current: Current
    form: FormData | None = None
    # Field name → message in Chinese, shown next to the field.
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return self.current.actor

    @property
    def runtime(self) -> Runtime:
        return self.web.runtime

    def value(self, name: str, default: str = "") -> str:
        raw = self.form.get(name) if self.form is not None else self.request.query_params.get(name)
        return raw.strip() if isinstance(raw, str) else default

    @contextlib.asynccontextmanager
    async def acting(self) -> AsyncIterator[CallerSession]:
        request_id = self.request.scope.get("state", {}).get(REQUEST_ID) or ""
        async with actor_session(self.web, self.current.actor, request_id) as caller:
            yield caller

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return render(
            self.request,
            template,
            status,
            current=self.current,
            errors=self.errors,
            value=self.value,
            **context,
        )


def render(
    request: Request,
    template: str,
    status: int = 200,
    current: Current | None = None,
    **context: Any,
) -> HTMLResponse:
    scopes = current.actor.scopes if current else frozenset()
    menu = [
        (path, label) for path, label, needs in MENU if current and (not needs or needs & scopes)
    ]
    html = templates.get_template(template).render(
        request=request,
        current=current,
        menu=menu,
        path=request.url.path,
        csrf=current.session.csrf_token if current else "",
        **context,
    )
    return HTMLResponse(html, status, headers=SECURITY_HEADERS)


Handler = Callable[[View], Awaitable[Response]]


def page(
    *, needs: frozenset[str] | str | None = None
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A console page: signed in, holding any of `needs`, and on POST a valid CSRF token."""
    wanted = frozenset({needs}) if isinstance(needs, str) else (needs or frozenset())

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            web = web_state(request)
            current = await signed_in(web, request)
            if current is None:
                return to_sign_in(request)
            if wanted and not wanted & current.actor.scopes:
                return render(request, "forbidden.html", 403, current=current)
            if request.method != "POST":
                return await handler(View(request, web, current))
            # Uploaded files are spooled to temporary files: closed whatever happens.
            async with request.form() as form:
                if not csrf_matches(form, current.session.csrf_token):
                    return render(request, "csrf.html", 403, current=current)
                return await handler(View(request, web, current, form))

        return endpoint

    return wrap


async def signed_in(web: WebState, request: Request) -> Current | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    idle = timedelta(minutes=web.runtime.settings.console_idle_minutes)
    async with web.runtime.sessions.begin() as session:
        return await resume(session, token, idle)


def to_sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.url.path
    return RedirectResponse(f"/login?next={quote(target)}", 303)


def csrf_matches(form: FormData, expected: str) -> bool:
    given = form.get(CSRF_FIELD)
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(COOKIE, token, httponly=True, secure=secure, samesite="strict", path="/")


def refusal_notice(error: Exception) -> str:
    """A refused action, for the notice line of the page it returns to (URL-quoted)."""
    text = error.for_officers if isinstance(error, HubError) else "输入不正确"
    return quote("未办理：" + text)


def safe_next(target: str) -> str:
    """Only a path on this site: `next=//evil.example` must not send the officer away."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
