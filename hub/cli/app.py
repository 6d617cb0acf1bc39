"""The `hub` group: its commands live one group per module beside it."""

from __future__ import annotations

from typing import Any

import click

from hub.cli.agencies import agencies
from hub.cli.audit import audit
from hub.cli.check import check
from hub.cli.clients import clients
from hub.cli.context import Cli
from hub.cli.db import db
from hub.cli.demo import demo
from hub.cli.evaluation import evaluate_command, warnings
from hub.cli.keys import keys
from hub.cli.lifecycle import lifecycle, objections, repairs
from hub.cli.operations import operations
from hub.cli.publish import publish
from hub.cli.quarantine import quarantine
from hub.cli.rules import rules
from hub.cli.serve import serve
from hub.cli.sync import sync
from hub.cli.users import users
from hub.errors import HubError


class HubGroup(click.Group):
    """Shows domain errors as one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HubError as exc:
            where = f" [{exc.field}]" if exc.field else ""
            raise click.ClickException(f"{exc.message}{where}") from exc


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """政务诚信 data-sharing hub: collects 政务失信记录 and answers 信用核查 checks.

    Configuration comes from environment variables (HUB_DATABASE_URL, HUB_ENV,
    HUB_KEYS_DIR, …); see the README."""
    ctx.obj = Cli()


for command in (
    serve,
    db,
    keys,
    agencies,
    clients,
    check,
    rules,
    demo,
    sync,
    quarantine,
    objections,
    repairs,
    lifecycle,
    audit,
    operations,
    publish,
    users,
    evaluate_command,
    warnings,
):
    main.add_command(command)
