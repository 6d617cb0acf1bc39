"""What any route answers when something fails outside the GraphQL view's own handling (the
console, the token endpoint, report pages): 503 with Retry-After when the database cannot be
reached, a masked 500 otherwise. Never a stack trace; logged by type and frames only."""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.db.availability import RETRY_AFTER_SECONDS, is_unavailable
from hub.web.responses import graphql_error, service_unavailable

log = logging.getLogger("hub")

_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{title}</title>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto"><h1>{title}</h1>
<p>{text}</p><p><a href="/">返回</a></p></body></html>"""


# The failures of reaching a database, by class (Starlette's ExceptionMiddleware matches
# along each exception's MRO). Anything else stays with Starlette's own 500.
DATABASE_FAILURES: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout, OSError)


async def unexpected(request: Request, error: Exception) -> Response:
    wants_page = "text/html" in request.headers.get("accept", "")
    if is_unavailable(error):
        if wants_page:
            text = "数据库暂时无法连接，您的操作没有执行。请稍后重试。"
            html = _PAGE.format(title="服务暂时不可用", text=text)
            return HTMLResponse(html, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        return service_unavailable()
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected error at %s: %s\n%s", request.url.path, type(error).__name__, frames)
    if wants_page:
        return HTMLResponse(
            _PAGE.format(title="出错了", text="系统出现意外错误，操作没有执行。"), 500
        )
    return graphql_error("Internal server error", "INTERNAL_SERVER_ERROR", 500)
