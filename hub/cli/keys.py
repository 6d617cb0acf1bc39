"""`hub keys init|rotate`: the token-signing and PII keys in HUB_KEYS_DIR."""

from __future__ import annotations

import click

from hub.cli.context import cli, console
from hub.keys import init_keys, rotate_signing_key


@click.group()
def keys() -> None:
    """Token-signing and PII keys in HUB_KEYS_DIR."""


@keys.command("init")
def keys_init() -> None:
    """Create the keys if they do not exist yet (never overwrites)."""
    directory = cli().settings.keys_dir
    created = init_keys(directory)
    console.print(f"keys {'created' if created else 'already present'} in {directory}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key current; old keys keep verifying what they signed.

    Restart the hub (every worker) afterwards so that it signs with the new key."""
    kid = rotate_signing_key(cli().settings.keys_dir)
    console.print(f"new signing key {kid} is current; restart the hub to use it")
