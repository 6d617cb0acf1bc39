"""`hub publish nats`: relay the change feed into a NATS JetStream stream."""

from __future__ import annotations

import dataclasses

import click
from nats.errors import NoServersError

from hub.auth.scopes import RECORDS_READ_PII
from hub.cli.context import OPERATOR, cli, console, run
from hub.feed.publish import Target, publish_feed
from hub.feed.service import Reader
from hub.runtime import Runtime, feed_reader


@click.group()
def publish() -> None:
    """Push the change feed to other systems."""


@publish.command("nats")
@click.option("--url", default="nats://127.0.0.1:4222", show_default=True, help="NATS server.")
@click.option("--stream", default="CREDIT", show_default=True, help="JetStream stream name.")
@click.option(
    "--subject-prefix",
    default="credit.records",
    show_default=True,
    help="Events go to <prefix>.<type>, e.g. credit.records.created.",
)
@click.option(
    "--pii",
    is_flag=True,
    help="Publish persons' ID numbers and names in clear (default: masked). Every person "
    "published is audited either way.",
)
def publish_nats(url: str, stream: str, subject_prefix: str, pii: bool) -> None:
    """Publish every change after the stream's last message (its Hub-Feed-Cursor header),
    then stop: run it from cron, or in a loop. JetStream drops a repeated Nats-Msg-Id, so a
    run cut short and started again publishes nothing twice."""
    scopes = OPERATOR.scopes if pii else OPERATOR.scopes - {RECORDS_READ_PII}
    actor = dataclasses.replace(OPERATOR, scopes=scopes)
    caller = cli().caller

    async def work(runtime: Runtime) -> int:
        def reader() -> Reader:
            return feed_reader(runtime, actor)

        target = Target(url, stream, subject_prefix)
        try:
            return await publish_feed(runtime, caller, reader, target)
        except (OSError, TimeoutError, NoServersError) as exc:
            raise click.ClickException(
                f"cannot reach NATS at {url}: {type(exc).__name__}"
            ) from None

    published = run(work)
    console.print(f"published {published} change(s) to {stream} ({subject_prefix}.*)")
