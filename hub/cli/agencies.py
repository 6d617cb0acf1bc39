"""`hub agencies add|list`: the participating agencies."""

from __future__ import annotations

import click
from rich.table import Table

from hub.agencies.models import AgencyFamily, AgencyLevel
from hub.agencies.service import add_agency, list_agencies
from hub.cli.context import console, transact


@click.group()
def agencies() -> None:
    """Participating agencies (data providers and consumers)."""


@agencies.command("add")
@click.option("--uscc", required=True, help="统一社会信用代码 (government organs start 11).")
@click.option("--name", required=True, help="Full name, e.g. 江州市人力资源和社会保障局.")
@click.option("--region", help="6-digit 行政区划代码; default: characters 3-8 of the USCC.")
@click.option(
    "--level",
    type=click.Choice([lv.value for lv in AgencyLevel]),
    default="CITY",
    show_default=True,
)
@click.option(
    "--family",
    type=click.Choice([f.value for f in AgencyFamily]),
    default="OTHER",
    show_default=True,
    help="Source family: DISCIPLINE 纪委监委, COURT 法院, HR 组织部/人社, FINANCE 财政.",
)
def agencies_add(uscc: str, name: str, region: str | None, level: str, family: str) -> None:
    """Register an agency, so that its systems can be given clients."""

    agency, warning = transact(
        lambda session: add_agency(
            session,
            uscc=uscc,
            name=name,
            region_code=region,
            level=AgencyLevel(level),
            family=AgencyFamily(family),
        )
    )
    if warning:
        console.print(f"[yellow]! USCC {agency.uscc}: {warning}[/yellow]")
    console.print(f"agency registered: {agency.name} ({agency.uscc}, {agency.region_code})")


@agencies.command("list")
def agencies_list() -> None:
    """List the registered agencies."""
    table = Table("USCC", "name", "region", "level", "family")
    for agency in transact(list_agencies):
        table.add_row(
            agency.uscc, agency.name, agency.region_code, agency.level.value, agency.family.value
        )
    console.print(table)
