"""`portal sandbox`: run the TI-compatible sandbox in the foreground, with demo data."""

from __future__ import annotations

import os
from pathlib import Path

import click

from . import create_sandbox_app
from .courses import mint_admin_token
from .demo import DEMO_CODES, DEMO_LOGINS, build_demo
from .server import serve


def needs_demo(app) -> bool:
    return app.extensions["sandbox"].store.scalar("SELECT COUNT(*) FROM company") == 0


def run_sandbox(
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: str | Path = "./var/sandbox",
    reset: bool = False,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    points_per_minute: int = 10_000,
    api_key: str | None = None,
    public_url: str | None = None,
    sso_login_url: str | None = None,
    sso_logout_url: str | None = None,
    sso_new_learners: str = "create",
    echo=click.echo,
) -> None:
    """Serve the sandbox until interrupted; build the demo instance on --reset or first start."""
    app = create_sandbox_app(
        data_dir,
        api_key or os.environ.get("TI_API_KEY") or None,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        points_per_minute=points_per_minute,
        public_url=public_url,
        sso_secret=os.environ.get("TI_SSO_SECRET") or None,
        sso_login_url=sso_login_url,
        sso_logout_url=sso_logout_url,
        sso_new_learners=sso_new_learners,
    )
    server = serve(app, host, port)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    url = (
        public_url.rstrip("/") if public_url else f"http://{shown_host}:{server.server_address[1]}"
    )
    settings = app.extensions["sandbox"]
    settings.public_url = url
    if reset or needs_demo(app):
        echo("Building demo data...")
        build_demo(app, base_url=url)
    token = mint_admin_token(settings.store, "admin", label="portal sandbox")
    store = settings.store
    echo(f"Sandbox running at {url}")
    echo(f"  GraphQL:    POST {url}/helium?apiKey=<API key>")
    echo(f"  Instance:   {url}/sign-in   (course pages at {url}/learn/<slug>)")
    echo(f"  API key:    {settings.api_key}   (TI_BASE_URL={url} TI_API_KEY=...)")
    echo(f"  Course creation token (Authorization: Bearer): {token}")
    for line in sso_lines(settings, url):
        echo(line)
    echo("  Demo logins:")
    for who, (email, password) in DEMO_LOGINS.items():
        echo(f"    {email} / {password}   ({who})")
    echo(f"  Mail outbox: {url}/outbox   (new learners set their password from their mail)")
    codes = ", ".join(f"{kind} {state}: {code}" for kind, states in DEMO_CODES.items()
                      for state, code in states.items())  # fmt: skip
    echo(f"  Codes: {codes}")
    if latency_ms or fail_rate:
        echo(f"  Fault injection: latency {latency_ms} ms, fail rate {fail_rate}")
    echo("Press Ctrl+C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()


def sso_lines(settings, url: str) -> list[str]:
    """What the sandbox prints of its single sign-on settings."""
    unset = "(not set)"
    return [
        f"  Single sign-on (JWT): {url}/access/jwt?jwt=...   (learners signed out at "
        f"{url}/access/logout)",
        f"    Secret:             {settings.sso_secret}   (TI_SSO_SECRET=...)",
        f"    External login URL: {settings.sso_login_url or unset}",
        f"    Logout URL:         {settings.sso_logout_url or unset}",
        f"    Unknown emails:     {settings.sso_new_learners} a learner",
    ]


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--data-dir",
    default="./var/sandbox",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory of the SQLite database.",
)
@click.option("--reset", is_flag=True, help="Rebuild the demo data from scratch.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0, 60_000))
@click.option(
    "--fail-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="Share of requests that fail (HTTP 502 or a hang).",
)
@click.option(
    "--points-per-minute",
    default=10_000,
    show_default=True,
    type=click.IntRange(1),
    help="GraphQL point budget per API key per minute.",
)
@click.option(
    "--public-url",
    default=None,
    help="Where learners reach the sandbox (its mail links); default: the address it listens on.",
)
@click.option(
    "--sso-login-url",
    default=None,
    help="External login URL of single sign-on: its sign-in page sends learners there "
    "({{returnTo}}: the page they wanted), e.g. https://portal.example.com/sso/login"
    "?returnTo={{returnTo}}.",
)
@click.option(
    "--sso-logout-url",
    default=None,
    help="Logout URL: where its sign-out sends learners, e.g. "
    "https://portal.example.com/sso/logout.",
)
@click.option(
    "--sso-new-learners",
    default="create",
    show_default=True,
    type=click.Choice(["create", "refuse"]),
    help="What a sign-on token naming an unknown email does.",
)
def sandbox_command(
    host,
    port,
    data_dir,
    reset,
    latency_ms,
    fail_rate,
    points_per_minute,
    public_url,
    sso_login_url,
    sso_logout_url,
    sso_new_learners,
):
    """Run the TI-compatible API sandbox with the Northwind Academy demo data. Its single
    sign-on secret is TI_SSO_SECRET when set, else the one kept with its data."""
    run_sandbox(
        host=host,
        port=port,
        data_dir=data_dir,
        reset=reset,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        points_per_minute=points_per_minute,
        public_url=public_url,
        sso_login_url=sso_login_url,
        sso_logout_url=sso_logout_url,
        sso_new_learners=sso_new_learners,
    )
