"""`GET /reports/{id}`: a check report as a printable Chinese page, with its signed token.

Only the agency that asked for the check (or an admin client) may open it."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.agencies.models import Agency
from hub.auth.scopes import ADMIN
from hub.auth.service import actor_for_token
from hub.checks.models import Check
from hub.checks.purposes import Purpose, Verdict
from hub.checks.reports import report_document, sign_report
from hub.errors import Unauthenticated
from hub.web.graphql import bearer_claims, graphql_error, unauthorized

FAMILY_LABELS = {"DISCIPLINE": "纪检监察", "COURT": "人民法院", "HR": "组织人事", "FINANCE": "财政"}


async def report_page(request: Request) -> Response:
    try:
        claims = bearer_claims(request)
    except Unauthenticated as exc:
        return unauthorized(exc.message)
    state = request.app.state
    async with state.sessions() as session:
        try:
            actor = await actor_for_token(session, claims)
        except Unauthenticated as exc:
            return unauthorized(exc.message)
        check = await session.get(Check, request.path_params["check_id"])
        # The same answer for "absent" and "not yours": a check's existence is not public.
        if check is None or not (actor.has(ADMIN) or actor.agency_id == check.agency_id):
            return graphql_error("no such report for this client", "NOT_FOUND", 404)
        agency = await session.get(Agency, check.agency_id) if check.agency_id else None
    document = report_document(check, agency)
    token = sign_report(state.keys, document)
    return HTMLResponse(render(document, token))


_templates = Environment(
    loader=PackageLoader("hub.web", "templates"), autoescape=select_autoescape(["html"])
)


def render(document: dict[str, Any], token: str) -> str:
    return _templates.get_template("report.html").render(
        doc=document,
        subject=document.get("subject") or {},
        agency=document.get("requestingAgency") or {},
        purpose_label=Purpose(document["purpose"]).label,
        verdict_label=Verdict(document["verdict"]).label,
        family_labels=FAMILY_LABELS,
        token=token,
    )
