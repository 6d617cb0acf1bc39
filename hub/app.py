"""create_app(settings): routes, state, lifespan. Everything a request needs is built here once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.agencies.feeds import CoverageCache
from hub.audit.chain import chain_key
from hub.audit.sealing import Sealer
from hub.auth.tokens import TokenIssuer
from hub.auth.verifier import TokenVerifier
from hub.checks.ruleset import current_ruleset
from hub.db.engine import create_engine, session_factory
from hub.keys import Keys, load_keys
from hub.settings import Settings
from hub.subjects.pii import PiiCipher
from hub.web.graphql import graphql_endpoint
from hub.web.metrics import Metrics, metrics_endpoint
from hub.web.oauth import token_endpoint
from hub.web.persisted import load as load_persisted_operations
from hub.web.ratelimit import RateLimiter
from hub.web.report_page import report_page
from schema import build_schema
from schema.context import Services


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        async with request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means "not ready"
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, 503)
    return JSONResponse({"status": "ok", "database": "reachable"})


async def jwks(request: Request) -> JSONResponse:
    keys: Keys = request.app.state.keys
    return JSONResponse(keys.public_jwks(), headers={"Cache-Control": "public, max-age=300"})


def create_app(settings: Settings, keys: Keys | None = None) -> Starlette:
    keys = keys or load_keys(settings)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    sealer = Sealer(sessions, chain_key(keys.pii.hmac_key))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        sealing = asyncio.create_task(sealer.run())
        yield
        sealing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sealing
        await sealer.seal_all()  # what the last requests recorded
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            Route("/oauth/token", token_endpoint, methods=["POST"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/reports/{check_id}", report_page, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            # For the scraper on the internal network; keep it off the public ingress.
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.keys = keys
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.tokens = TokenIssuer(keys, settings.issuer, settings.token_lifetime_seconds)
    app.state.verifier = TokenVerifier.from_settings(settings, app.state.tokens)
    app.state.services = Services(
        pii=PiiCipher(keys.pii),
        ruleset=current_ruleset(),
        keys=keys,
        coverage=CoverageCache(),
        sealer=sealer,
    )
    app.state.schema = schema = build_schema(production=settings.is_production)
    app.state.metrics = Metrics(operations=schema.root_fields)
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.rate_limits_per_client)
    app.state.token_rate_limiter = RateLimiter(settings.token_rate_limit, {})
    app.state.persisted_operations = load_persisted_operations(settings.persisted_operations)
    return app
