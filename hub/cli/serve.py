"""`hub serve`."""

from __future__ import annotations

import click

from hub.cli.context import cli, console


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the hub (GraphQL at /graphql, tokens at /oauth/token)."""
    import uvicorn

    from hub.keys import load_keys
    from hub.web.persisted import load as load_persisted_operations

    settings = cli().settings
    # Fail with one clear line before forking workers: keys missing in production, or a
    # persisted-operations manifest that does not check out.
    load_keys(settings)
    load_persisted_operations(settings.persisted_operations)
    console.print(f"hub listening on http://{host}:{port}  (GraphQL: /graphql)")
    uvicorn.run("hub.asgi:app", host=host, port=port, workers=workers, log_level="info")
