"""HTTP policy that holds for every route: a request id, and one limit on the body size."""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.web.limits import MAX_BODY
from hub.web.responses import graphql_error

REQUEST_ID = "request_id"


def request_id_from(given: str) -> str:
    # A caller's id is kept for correlation only if it is short and plain (it reaches logs).
    if 0 < len(given) <= 64 and all(c.isalnum() or c in "-_." for c in given):
        return given
    return uuid.uuid4().hex


class RequestId:
    """Every request gets an id (the caller's X-Request-Id if it is plain, else a new one):
    in `scope["state"]["request_id"]`, in the audit trail, and in the response header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = request_id_from(given)
        scope.setdefault("state", {})[REQUEST_ID] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimit:
    """Refuses a body over MAX_BODY with 413 PAYLOAD_TOO_LARGE: by its declared length before
    anything is read, and — when the length is not declared (chunked) — as soon as the part
    read passes the limit. Nothing past the limit is ever buffered."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = graphql_error(
            f"request body larger than {self.limit} bytes", "PAYLOAD_TOO_LARGE", 413
        )
        await response(scope, receive, send)


class _TooLarge(BaseException):
    """Raised from `receive` through the endpoint: a BaseException, like CancelledError, so
    that an endpoint's own `except Exception` (which masks failures as 500) lets it pass."""
