"""`hub operations …`: writing and reviewing the persisted operations manifest."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from hub.cli.context import cli, console
from hub.errors import ConfigurationError, InvalidInput
from hub.web.persisted import document_operation, read_manifest


@click.group()
def operations() -> None:
    """Persisted operations: the manifest of operations clients may run (see the README)."""


@operations.command("hash")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"operations": [...]} entries with their bodies, for the manifest.',
)
def operations_hash(files: tuple[Path, ...], as_json: bool) -> None:
    """Print the id (sha256 of the exact text) and name of each operation document.

    One operation per file, with its fragments; clients must send the text byte for byte."""
    entries = [document_operation(_text(path), str(path)) for path in files]
    if as_json:
        operations = [{"id": e.id, "name": e.name, "body": e.body} for e in entries]
        click.echo(json.dumps({"operations": operations}, ensure_ascii=False, indent=2))
        return
    for path, entry in zip(files, entries, strict=True):
        click.echo(f"{entry.id}  {entry.name or '(anonymous)'}  {path}")


@operations.command("check")
@click.argument("manifest", required=False, type=click.Path(path_type=Path))
def operations_check(manifest: Path | None) -> None:
    """Validate MANIFEST (default: HUB_PERSISTED_OPERATIONS) and show each client's list."""
    path = manifest or cli().settings.persisted_operations
    if path is None:
        raise ConfigurationError(
            "name a manifest, or set HUB_PERSISTED_OPERATIONS", field="HUB_PERSISTED_OPERATIONS"
        )
    loaded = read_manifest(path)
    table = Table("client", "mode", "operations")
    for client_id, allowlist in sorted(loaded.allowlists.items()):
        names = sorted(loaded.operations[i].name or i[:12] for i in allowlist.operations)
        table.add_row(client_id, allowlist.mode, ", ".join(names) or "(none)")
    console.print(f"{path}: {len(loaded.operations)} operations, valid")
    if loaded.allowlists:
        console.print(table)
    else:
        console.print("no clients are restricted")


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode()  # not read_text: newlines are part of the hash
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
