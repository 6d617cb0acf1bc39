"""`hub users add|list|roles|disable`: the people who sign in to the web console."""

from __future__ import annotations

import click
from rich.table import Table

from hub.cli.context import console, transact
from hub.users.rules import ROLES
from hub.users.service import add_user, disable_user, list_users, set_roles

ROLE_HELP = "Comma-separated roles: " + "; ".join(
    f"{name} ({role.label})" for name, role in ROLES.items()
)


@click.group()
def users() -> None:
    """Console users: people (HR officers, source agencies' handlers, administrators)."""


@users.command("add")
@click.argument("login")
@click.option("--name", "display_name", required=True, help="The person's name, e.g. 张三.")
@click.option("--agency", "agency_uscc", required=True, help="USCC of the person's agency.")
@click.option("--roles", required=True, help=ROLE_HELP)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The first password (asked for when not given; at least 10 characters).",
)
def users_add(login: str, display_name: str, agency_uscc: str, roles: str, password: str) -> None:
    """Add a console user. Roles grant the same scopes an API client can hold."""
    user = transact(
        lambda session: add_user(
            session,
            login=login,
            display_name=display_name,
            agency_uscc=agency_uscc,
            roles=roles,
            password=password,
        )
    )
    console.print(f"user {user.login} added with roles: {user.roles}", markup=False)


@users.command("list")
def users_list() -> None:
    """List users with their agency, roles and state."""
    table = Table("login", "name", "agency", "roles", "state")
    for user, agency in transact(list_users):
        state = f"disabled {user.disabled_at:%Y-%m-%d}" if user.disabled_at else "active"
        table.add_row(user.login, user.display_name, agency.name, user.roles, state)
    console.print(table)


@users.command("roles")
@click.argument("login")
@click.argument("roles")
def users_roles(login: str, roles: str) -> None:
    """Replace a user's roles (effective at their next page)."""
    user = transact(lambda session: set_roles(session, login, roles))
    console.print(f"user {user.login} now has roles: {user.roles}", markup=False)


@users.command("disable")
@click.argument("login")
def users_disable(login: str) -> None:
    """Disable a user: their sessions end at once; the account stays for the audit trail."""
    transact(lambda session: disable_user(session, login))
    console.print(f"user {login} disabled", markup=False)
