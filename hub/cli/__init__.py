"""The `hub` command."""

from hub.cli.app import main

__all__ = ["main"]
