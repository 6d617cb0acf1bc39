"""`GET /reports/{id}`: a check report as a printable Chinese page, with its signed token.

Only the agency that asked for the check (or an admin client) may open it; every opening
is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub import clock
from hub.audit.service import note
from hub.checks.purposes import AppraisalEffect, Purpose, Verdict
from hub.checks.reports import sign_report
from hub.checks.service import check_access, stored_report
from hub.db.base import utcnow
from hub.errors import Unauthenticated
from hub.web.auth import bearer_required
from hub.web.responses import graphql_error, unauthorized
from hub.web.sessions import caller_session
from hub.web.state import web_state

FAMILY_LABELS = {"DISCIPLINE": "纪检监察", "COURT": "人民法院", "HR": "组织人事", "FINANCE": "财政"}


async def report_page(request: Request) -> Response:
    web = web_state(request)
    try:
        claims = bearer_required(request)
        async with caller_session(web, request, claims) as caller:
            # Another agency's check is not found, exactly like an absent one (hub.access): a
            # check's existence is not public.
            found = await stored_report(caller.session, request.path_params["check_id"])
            if found is None:
                return graphql_error("no such report for this client", "NOT_FOUND", 404)
            check, document = found
            opened = check_access(check, "report", f"report of check {check.id}", utcnow())
            note(caller.session, [opened])  # committed with the session: the opening is audited
    except Unauthenticated as exc:
        return unauthorized(exc.message)
    token = sign_report(web.runtime.keys, document)
    return HTMLResponse(render(document, token))


_templates = Environment(
    loader=PackageLoader("hub.web", "templates"), autoescape=select_autoescape(["html"])
)


def _beijing(instant: str) -> str:
    """A stored UTC time as a report shows it: 北京时间, to the second."""
    moment = datetime.fromisoformat(instant).astimezone(clock.CHINA)
    return f"{moment:%Y-%m-%d %H:%M:%S}（北京时间）"


def report_context(document: dict[str, Any]) -> dict[str, Any]:
    """What report_body.html shows (the API's report page and the console's alike)."""
    return {
        "doc": document,
        "subject": document.get("subject") or {},
        "agency": document.get("requestingAgency") or {},
        "checked_at": _beijing(document["checkedAt"]),
        "purpose_label": Purpose(document["purpose"]).label,
        "verdict_label": Verdict(document["verdict"]).label,
        "family_labels": FAMILY_LABELS,
        "effect_labels": {effect.value: effect.label for effect in AppraisalEffect},
    }


def render(document: dict[str, Any], token: str) -> str:
    return _templates.get_template("report.html").render(**report_context(document), token=token)
