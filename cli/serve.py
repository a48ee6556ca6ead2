"""`juwe serve`: the planning service (REST API and page) on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import guarded


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="address to listen on; any other than 127.0.0.1 needs a token",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=Path("juwe-workspace"),
    show_default=True,
    help="folder of the service's state (juwe.sqlite, plans/)",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="solves running at once (the rest wait in the queue)",
)
@click.option(
    "--token",
    help="every /api request must send 'Authorization: Bearer TOKEN' "
    "(generated and printed when --host is not local and none is given)",
)
@guarded
def serve(host: str, port: int, workspace: Path, jobs: int, token: str | None) -> None:
    """Serve the planning service: upload instances, run solves as jobs, download plans.

    Open http://HOST:PORT/ in a browser for the page; the API is under /api (see /docs)."""
    import uvicorn

    from web.app import Settings, create_app
    from web.security import needs_token, new_token

    if token is None and needs_token(host):
        token = new_token()
        click.echo(f"token (send 'Authorization: Bearer {token}'; the page asks for it):")
        click.echo(token)
    if workspace.exists() and not workspace.is_dir():
        from models.io import InputError

        raise InputError(workspace, ["--workspace must name a folder"])
    app = create_app(Settings(workspace=workspace, jobs=jobs, token=token))
    click.echo(f"juwe serve: http://{host}:{port}/ (workspace {workspace}/, {jobs} job(s) at once)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
