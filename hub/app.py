"""create_app(settings): routes, middleware, lifespan. The lifespan builds the runtime and the
web state once; nothing that needs keys or the database is built before it runs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Route

from hub import console
from hub.garbage import tune_for_serving
from hub.keys import Keys
from hub.runtime import note_publicity_at_start, open_runtime
from hub.settings import Settings
from hub.web.auth import TokenBackend, on_auth_error
from hub.web.endpoints import healthz, jwks, metrics, readyz
from hub.web.errors import DATABASE_FAILURES, unexpected
from hub.web.evidence_file import evidence_file
from hub.web.middleware import BodyLimit, RequestId
from hub.web.oauth import token_endpoint
from hub.web.report_page import report_page
from hub.web.state import STATE_KEY, WebState
from schema import build_schema
from schema.http import GraphQLView


def create_app(settings: Settings, keys: Keys | None = None) -> Starlette:
    """`keys`: already loaded keys (tests share one set); by default read in the lifespan."""
    schema = build_schema(production=settings.is_production)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[dict[str, WebState]]:
        async with open_runtime(settings, keys, background_sealing=True) as runtime:
            # First what can refuse to start (a bad manifest, a bad setting), then the
            # background work: a refused start leaves nothing running.
            web = WebState.build(runtime, schema.root_fields)
            tune_for_serving()
            stopping = asyncio.Event()
            first_run = asyncio.create_task(note_publicity_at_start(runtime, stopping.is_set))
            try:
                yield {STATE_KEY: web}
            finally:
                # Ends between two chunks (a second at most), never cancelled mid-statement:
                # a cancelled statement would leave its connection behind.
                stopping.set()
                await first_run
                await web.rate_store.close()

    return Starlette(
        exception_handlers=dict.fromkeys(DATABASE_FAILURES, unexpected),
        routes=[
            Route("/graphql", GraphQLView(schema).endpoint, methods=["GET", "POST"]),
            Route("/oauth/token", token_endpoint, methods=["POST"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/reports/{check_id}", report_page, methods=["GET"]),
            Route("/evidence/{evidence_id}", evidence_file, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            # For the scraper on the internal network; keep it off the public ingress.
            Route("/metrics", metrics, methods=["GET"]),
            *console.routes(),
        ],
        middleware=[
            Middleware(RequestId),
            Middleware(BodyLimit),
            Middleware(AuthenticationMiddleware, backend=TokenBackend(), on_error=on_auth_error),
        ],
        lifespan=lifespan,
    )
