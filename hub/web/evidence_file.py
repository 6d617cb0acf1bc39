"""`GET /evidence/{id}`: an evidence file, for the agency that filed it and the record's
source agency only (anyone else: 404, as for an id nobody has). Every download is audited."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from hub.errors import NotFound, Unauthenticated
from hub.evidence.service import evidence_for
from hub.web.auth import bearer_required
from hub.web.responses import graphql_error, unauthorized
from hub.web.sessions import caller_session
from hub.web.state import web_state


async def evidence_file(request: Request) -> Response:
    web = web_state(request)
    raw = request.path_params["evidence_id"]
    try:
        claims = bearer_required(request)
        async with caller_session(web, request, claims) as caller:
            if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
                return graphql_error("no such evidence for this client", "NOT_FOUND", 404)
            try:
                row, data = await evidence_for(
                    caller.session, web.runtime.pii, caller.actor, int(raw)
                )
            except NotFound as exc:
                return graphql_error(exc.message, exc.code, 404)
    except Unauthenticated as exc:
        return unauthorized(exc.message)
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
