"""`GET /reports/{id}`: a check report as a printable Chinese page, with its signed token.

Only the agency that asked for the check (or an admin client) may open it; every opening
is audited."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.access.enforcement import bind
from hub.agencies.models import Agency
from hub.audit.service import Caller, note, open_trail
from hub.auth.service import actor_for_token
from hub.checks.models import Check
from hub.checks.purposes import AppraisalEffect, Purpose, Verdict
from hub.checks.reports import report_document, sign_report
from hub.checks.service import check_access
from hub.db.base import utcnow
from hub.errors import Unauthenticated
from hub.web.graphql import bearer_claims, graphql_error, request_id_from, unauthorized

FAMILY_LABELS = {"DISCIPLINE": "纪检监察", "COURT": "人民法院", "HR": "组织人事", "FINANCE": "财政"}


async def report_page(request: Request) -> Response:
    try:
        claims = await bearer_claims(request)
    except Unauthenticated as exc:
        return unauthorized(exc.message)
    state = request.app.state
    async with state.sessions() as session:
        try:
            actor = await actor_for_token(session, claims)
        except Unauthenticated as exc:
            return unauthorized(exc.message)
        bind(session, actor)
        open_trail(
            session,
            Caller(
                actor.client_id,
                actor.agency_id,
                request_id_from(request.headers.get("x-request-id", "")),
            ),
        )
        # Another agency's check is not found, exactly like an absent one (hub.access): a
        # check's existence is not public.
        check = await session.get(Check, request.path_params["check_id"])
        if check is None:
            return graphql_error("no such report for this client", "NOT_FOUND", 404)
        agency = await session.get(Agency, check.agency_id) if check.agency_id else None
        note(session, [check_access(check, "report", f"report of check {check.id}", utcnow())])
        await session.commit()  # records the opening in the audit trail
    state.services.sealer.wake()
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
        effect_labels={effect.value: effect.label for effect in AppraisalEffect},
        token=token,
    )
