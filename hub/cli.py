"""The `hub` command. Each command is one transaction: it opens it, calls services, commits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from hub.errors import HubError
from hub.settings import Settings

T = TypeVar("T")
console = Console()


def _settings() -> Settings:
    return Settings.from_env()


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One transaction as the operator. What it read of persons (a check) is recorded by
    its commit and sealed into the audit trail right after."""
    from hub.audit.chain import chain_key
    from hub.audit.sealing import Sealer
    from hub.audit.service import Caller, open_trail, recorded_any
    from hub.db.engine import create_engine, session_factory
    from hub.keys import load_keys

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            sessions = session_factory(engine)
            async with sessions.begin() as session:
                open_trail(session, Caller(None, None, f"cli-{uuid.uuid4().hex}"))
                result = await work(session)
            if recorded_any(session):
                await Sealer(sessions, chain_key(load_keys(settings).pii.hmac_key)).seal_all()
            return result
        finally:
            await engine.dispose()

    return asyncio.run(run())


class HubGroup(click.Group):
    """Shows domain errors as one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HubError as exc:
            where = f" [{exc.field}]" if exc.field else ""
            raise click.ClickException(f"{exc.message}{where}") from exc


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """政务诚信 data-sharing hub: collects 政务失信记录 and answers 信用核查 checks.

    Configuration comes from environment variables (HUB_DATABASE_URL, HUB_ENV,
    HUB_KEYS_DIR, …); see the README."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the hub (GraphQL at /graphql, tokens at /oauth/token)."""
    import uvicorn

    from hub.keys import load_keys
    from hub.web.persisted import load as load_persisted_operations

    settings = _settings()
    # Fail with one clear line before forking workers: keys missing in production, or a
    # persisted-operations manifest that does not check out.
    load_keys(settings)
    load_persisted_operations(settings.persisted_operations)
    console.print(f"hub listening on http://{host}:{port}  (GraphQL: /graphql)")
    uvicorn.run("hub.asgi:app", host=host, port=port, workers=workers, log_level="info")


@main.group()
def db() -> None:
    """Database schema migrations (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from hub.db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    console.print(f"database at revision {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    from hub.db.migrate import downgrade

    downgrade(_settings().database_url, revision)
    console.print(f"database at revision {revision}")


@main.group()
def keys() -> None:
    """Token-signing and PII keys in HUB_KEYS_DIR."""


@keys.command("init")
def keys_init() -> None:
    """Create the keys if they do not exist yet (never overwrites)."""
    from hub.keys import init_keys

    directory = _settings().keys_dir
    created = init_keys(directory)
    console.print(f"keys {'created' if created else 'already present'} in {directory}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key current; old keys keep verifying what they signed.

    Restart the hub (every worker) afterwards so that it signs with the new key."""
    from hub.keys import rotate_signing_key

    kid = rotate_signing_key(_settings().keys_dir)
    console.print(f"new signing key {kid} is current; restart the hub to use it")


# Commands that need the domain services live in their own modules.
from hub.cli_audit import register as register_audit  # noqa: E402
from hub.cli_commands import register  # noqa: E402
from hub.cli_operations import register as register_operations  # noqa: E402
from hub.cli_sync import register as register_sync  # noqa: E402

register(main, console, _settings, _in_transaction)
register_sync(main, console, _settings, _in_transaction)
register_operations(main, console, _settings)
register_audit(main, console, _settings, _in_transaction)
