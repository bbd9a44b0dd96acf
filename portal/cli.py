"""`portal demo | serve | sandbox`: run the portal locally, in production, or the sandbox alone."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

from portal.config import var_dir

SANDBOX_PORT = 8765
# Packages only the sandbox imports: the optional extra `portal[sandbox]`.
SANDBOX_PACKAGES = ("ariadne", "argon2", "faker")
SANDBOX_MISSING = (
    "The sandbox is not installed: {package} is missing. Install it with\n"
    "  pip install 'portal[sandbox]'   (in a checkout: make install)\n"
    "or point the portal at an instance with TI_BASE_URL and TI_API_KEY."
)


def sandbox_cli():
    """The module `portal.sandbox.cli`; without the sandbox extra, exit saying how to get it."""
    try:
        from portal.sandbox import cli
    except ModuleNotFoundError as error:
        package = (error.name or "").split(".")[0]
        if package not in SANDBOX_PACKAGES:
            raise
        raise click.ClickException(SANDBOX_MISSING.format(package=package)) from None
    return cli


class Commands(click.Group):
    """`portal` commands; `sandbox` is loaded when asked for, since it needs the extra."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), "sandbox"})

    def get_command(self, ctx, name):
        if name != "sandbox":
            return super().get_command(ctx, name)
        try:
            return sandbox_cli().sandbox_command
        except click.ClickException:
            # Still listed, and asking for it says how to install it.
            return click.Command(
                "sandbox",
                help="Run the TI-compatible sandbox (needs portal[sandbox]).",
                callback=sandbox_cli,
                context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
            )


@click.group(cls=Commands)
def main() -> None:
    """Learner portal for Thought Industries learning instances."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def start_embedded_sandbox(data_dir: Path, reset: bool) -> tuple[str, str]:
    """Run the sandbox with demo data in a background thread; returns its URL and API key."""
    sandbox_cli()
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.demo import build_demo
    from portal.sandbox.server import start

    app = create_sandbox_app(data_dir, os.environ.get("TI_API_KEY") or None)
    # The usual port when free (stable URLs in the demo data), else any free one.
    server = start(app, port=SANDBOX_PORT if port_is_free(SANDBOX_PORT) else 0)
    store = app.extensions["sandbox"].store
    # Demo images point at the sandbox's address: rebuild when it changed.
    moved = store.get_meta("public_url") not in (None, server.url)
    if reset or moved or not store.scalar("SELECT COUNT(*) FROM company"):
        click.echo("Building demo data...")
        build_demo(app, base_url=server.url)
    return server.url, app.extensions["sandbox"].api_key


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Sandbox data directory (default var/sandbox).",
)
@click.option("--reset", is_flag=True, help="Rebuild the sandbox demo data.")
def demo(host: str, port: int, data_dir: str | None, reset: bool) -> None:
    """Run the portal locally; with TI_BASE_URL unset, against the embedded sandbox."""
    logins = {}
    if not os.environ.get("TI_BASE_URL"):
        url, api_key = start_embedded_sandbox(Path(data_dir or var_dir() / "sandbox"), reset)
        os.environ["TI_BASE_URL"], os.environ["TI_API_KEY"] = url, api_key
        click.echo(f"Sandbox (TI API) running at {url}")
        from portal.sandbox.demo import DEMO_LOGINS as logins
    os.environ.setdefault("PORTAL_DEMO", "1")
    from portal import create_app

    app = create_app()
    click.echo(f"Portal running at http://{host}:{port}/")
    if logins:
        click.echo("Demo logins:")
    for who, (email, password) in logins.items():
        click.echo(f"  {email} / {password}   ({who})")
    click.echo("Press Ctrl+C to stop.")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1))
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve(bind: str, workers: int, gunicorn_args: tuple[str, ...]) -> None:
    """Run the portal in production with gunicorn (set TI_BASE_URL, TI_API_KEY, SECRET_KEY)."""
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        *gunicorn_args,
        "portal.wsgi:app",
    ]
    os.execvp(args[0], args)
