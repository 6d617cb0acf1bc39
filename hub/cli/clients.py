"""`hub clients add|list|revoke`: the OAuth clients of agency systems."""

from __future__ import annotations

import json

import click
from rich.table import Table

from hub.auth.service import add_client, list_clients, revoke_client
from hub.cli.context import console, transact


@click.group()
def clients() -> None:
    """OAuth 2.0 clients: the agency systems allowed to call the hub."""


@clients.command("add")
@click.argument("name")
@click.option("--agency", "agency_uscc", required=True, help="USCC of the client's agency.")
@click.option("--scopes", required=True, help='Space-separated, e.g. "check:hiring records:read".')
@click.option(
    "--jurisdiction",
    default=None,
    help="行政区划代码 (e.g. 320100) or prefix: the client reads only subjects there.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the credentials as JSON.")
def clients_add(
    name: str, agency_uscc: str, scopes: str, jurisdiction: str | None, as_json: bool
) -> None:
    """Register a client; prints its secret once (only a hash is kept)."""
    issued = transact(
        lambda session: add_client(
            session, name=name, agency_uscc=agency_uscc, scopes=scopes, jurisdiction=jurisdiction
        )
    )
    credentials = {"client_id": issued.client.id, "client_secret": issued.secret}
    if as_json:
        click.echo(json.dumps(credentials))
        return
    console.print(f"client_id:     {issued.client.id}")
    console.print(f"client_secret: {issued.secret}")
    console.print("[yellow]The secret is shown only now; store it safely.[/yellow]")


@clients.command("list")
def clients_list() -> None:
    """List clients with their agency, scopes and state."""
    table = Table("name", "agency", "scopes", "jurisdiction", "state")
    table.add_column("client_id", no_wrap=True)
    for client, agency in transact(list_clients):
        state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
        table.add_row(
            client.name,
            f"{agency.name} ({agency.uscc})",
            client.scopes,
            client.jurisdiction or "all",
            state,
            client.id,
        )
    console.print(table)


@clients.command("revoke")
@click.argument("client_id")
def clients_revoke(client_id: str) -> None:
    """Revoke a client: its tokens stop working at once."""
    transact(lambda session: revoke_client(session, client_id))
    console.print(f"client {client_id} revoked")
