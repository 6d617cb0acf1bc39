"""The small operational endpoints: health, readiness, the public signing keys, metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.db.migrate import current_revision, head_revision
from hub.web.state import web_state


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready: the database answers and is at the schema this code needs (an un-migrated or
    older database would fail requests, e.g. /oauth/token)."""
    try:
        async with web_state(request).runtime.engine.connect() as connection:
            revision = await current_revision(connection)
    except Exception as exc:  # any failure to reach the database means "not ready"
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, 503)
    if revision != head_revision():
        schema = f"at revision {revision or 'none'}, needs {head_revision()}: run `hub db upgrade`"
        return JSONResponse(
            {"status": "unavailable", "database": "reachable", "schema": schema}, 503
        )
    return JSONResponse({"status": "ok", "database": "reachable", "schema": revision})


async def jwks(request: Request) -> JSONResponse:
    keys = web_state(request).runtime.keys
    return JSONResponse(keys.public_jwks(), headers={"Cache-Control": "public, max-age=300"})


async def metrics(request: Request) -> Response:
    web = web_state(request)
    await web.metrics.ingest.refresh(web.runtime.sessions)
    await web.metrics.lifecycle.refresh(web.runtime.sessions, web.runtime.today)
    return Response(generate_latest(web.metrics.registry), media_type=CONTENT_TYPE_LATEST)
