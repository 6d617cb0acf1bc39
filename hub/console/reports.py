"""核查报告 (printable, with its verification code and a QR code of the verification link)
and the public 验证 page, where anyone holding a paper report or its token can see whether
it is authentic."""

from __future__ import annotations

from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import Response

from hub.audit.service import Caller, note, open_trail
from hub.checks.reports import (
    code_matches,
    sign_report,
    verification_code,
    verify_report,
)
from hub.checks.service import check_access, stored_report
from hub.console.pages import View, page, render
from hub.db.base import utcnow
from hub.web.middleware import REQUEST_ID
from hub.web.report_page import report_context
from hub.web.state import web_state

MAX_TOKEN = 20_000


@page()
async def report(view: View) -> Response:
    check_id = view.request.path_params["check_id"]
    async with view.acting() as caller:
        # Another agency's check is not found, exactly like an absent one (hub.access).
        found = await stored_report(caller.session, check_id)
        if found is None:
            return view.render("not_found.html", 404, what="核查报告")
        check, document = found
        note(
            caller.session, [check_access(check, "report", f"report of check {check.id}", utcnow())]
        )
    keys = view.runtime.keys
    code = verification_code(keys, document)
    link = str(view.request.url_for("verify").include_query_params(check=check.id, code=code))
    return view.render(
        "report.html",
        report=report_context(document),
        code=code,
        link=link,
        qr=segno.make(link, error="m").svg_inline(scale=3, title="验证链接二维码"),
        token=sign_report(keys, document),
    )


async def verify(request: Request) -> Response:
    """Public. A pasted token is checked against the hub's keys; a check id with its printed
    code is compared with the stored check (the code is the permission: without it, a check's
    existence is not disclosed)."""
    web = web_state(request)
    if request.method == "POST":
        form = await request.form()
        token = str(form.get("token", "")).strip()
        if not token or len(token) > MAX_TOKEN:
            return _answer(request, None, "请粘贴报告末尾的完整验证令牌", token_given=True)
        checked = verify_report(web.runtime.keys, token)
        if not checked.valid:
            return _answer(
                request, None, "验证未通过：令牌不是本平台签发的核查报告，或内容已被改动"
            )
        return _answer(request, checked.document, None)
    check_id = request.query_params.get("check", "").strip()
    code = request.query_params.get("code", "").strip()
    if not check_id and not code:
        return render(request, "verify.html", outcome=None)
    document = await _stored_report(request, check_id[:36], code[:40])
    if document is None:
        return _answer(request, None, "验证未通过：没有与此编号和验证码相符的核查报告")
    return _answer(request, document, None)


async def _stored_report(request: Request, check_id: str, code: str) -> dict[str, Any] | None:
    web = web_state(request)
    request_id = request.scope.get("state", {}).get(REQUEST_ID) or ""
    async with web.runtime.sessions.begin() as session:
        open_trail(session, Caller(None, None, request_id))
        found = await stored_report(session, check_id) if check_id else None
        if found is None:
            return None
        check, document = found
        if not code_matches(web.runtime.keys, document, code):
            return None
        # Shown to whoever holds the paper: an access to the check, audited.
        note(
            session,
            [check_access(check, "verify", f"report of check {check.id} verified", utcnow())],
        )
    web.runtime.sealer.wake()
    return document


def _answer(
    request: Request,
    document: dict[str, Any] | None,
    problem: str | None,
    token_given: bool = False,
) -> Response:
    status = 200 if document is not None else (400 if token_given else 404)
    outcome = {"valid": document is not None, "problem": problem}
    return render(
        request,
        "verify.html",
        status,
        outcome=outcome,
        report=report_context(document) if document else None,
    )
