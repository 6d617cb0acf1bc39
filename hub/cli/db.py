"""`hub db upgrade|downgrade`: the schema, by Alembic."""

from __future__ import annotations

import click

from hub.cli.context import cli, console
from hub.db.migrate import downgrade, upgrade


@click.group()
def db() -> None:
    """Database schema migrations (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    upgrade(cli().settings.database_url, revision)
    console.print(f"database at revision {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table)."""
    downgrade(cli().settings.database_url, revision)
    console.print(f"database at revision {revision}")
