"""What every command shares: the console, the operator, and `run`, which gives a command one
event loop and one runtime (one engine, keys read once) for its whole run."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import click
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from hub.audit.service import Caller
from hub.auth.actor import Actor
from hub.auth.scopes import ALL_SCOPES
from hub.db.paging import MAX_PAGE
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings

T = TypeVar("T")

console = Console()
# The local operator holds every scope; its accesses are audited with no client or agency.
OPERATOR = Actor(client_id=None, agency_id=None, scopes=ALL_SCOPES)


@dataclass
class Cli:
    """ctx.obj of every command. Settings are read on first use, so `hub --help`,
    `hub keys init` or `hub db upgrade` never need keys or a database."""

    request_id: str = field(default_factory=lambda: f"cli-{uuid.uuid4().hex}")

    @cached_property
    def settings(self) -> Settings:
        return Settings.from_env()

    @property
    def caller(self) -> Caller:
        """Who made this command's accesses: the operator, one request id per command."""
        return Caller(None, None, self.request_id)


def cli() -> Cli:
    obj = click.get_current_context().find_object(Cli)
    if obj is None:  # a command invoked outside `hub` (a test calling it directly)
        obj = Cli()
        click.get_current_context().obj = obj
    return obj


def run(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Runs `work` in this command's one event loop with its one runtime, then closes it
    (sealing what the command recorded into the audit chain)."""
    settings = cli().settings

    async def main() -> T:
        async with open_runtime(settings) as runtime:
            return await work(runtime)

    return asyncio.run(main())


def transact(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """A command that is one audited transaction as the operator."""
    caller = cli().caller

    async def in_runtime(runtime: Runtime) -> T:
        async with runtime.transaction(caller) as session:
            return await work(session)

    return run(in_runtime)


async def all_pages(fetch: Callable[[int, str | None], Awaitable[Any]], limit: int) -> list[Any]:
    """`fetch(first, after)` page after page until `limit` rows or the end."""
    rows: list[Any] = []
    after = None
    while len(rows) < limit:
        page = await fetch(min(MAX_PAGE, limit - len(rows)), after)
        rows += page.items
        if not page.has_next_page or not page.items:
            break
        after = page.cursor(page.items[-1])
    return rows
