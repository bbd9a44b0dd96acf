"""`portal demo | serve | sandbox`: run the portal locally, in production, or the sandbox alone."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
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


def start_embedded_sandbox(
    data_dir: Path, reset: bool, port: int = SANDBOX_PORT, host: str = "127.0.0.1"
):
    """Run the sandbox with demo data in a background thread; returns its URL and settings
    (API key, single sign-on). On every interface (a container's demo), it is still named by
    127.0.0.1: the address a learner's browser reaches through the published port."""
    sandbox_cli()
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.demo import build_demo
    from portal.sandbox.server import start

    # The sandbox's access log would print every request URL, API key included.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_sandbox_app(
        data_dir,
        os.environ.get("TI_API_KEY") or None,
        sso_secret=os.environ.get("TI_SSO_SECRET") or None,
    )
    # The usual port when free (stable URLs in the demo data), else any free one.
    server = start(app, host, port=port if port and port_is_free(port, host) else 0)
    url = server.url.replace("://0.0.0.0:", "://127.0.0.1:")
    store = app.extensions["sandbox"].store
    # Demo images point at the sandbox's address: rebuild when it changed.
    moved = store.get_meta("public_url") not in (None, url)
    if reset or moved or not store.scalar("SELECT COUNT(*) FROM company"):
        click.echo("Building demo data...")
        build_demo(app, base_url=url)
    return url, app.extensions["sandbox"]


def single_sign_on(settings, portal_url: str) -> dict:
    """Point the sandbox's single sign-on at the portal (its sign-in and sign-out lead there)
    and return the portal's side of it: the shared secret and the sandbox's logout page."""
    settings.sso_login_url = f"{portal_url}/sso/login?returnTo={{{{returnTo}}}}"
    settings.sso_logout_url = f"{portal_url}/sso/logout"
    return {"TI_SSO_SECRET": settings.sso_secret, "TI_LOGOUT_PATH": "/access/logout"}


# Serving defaults. A portal page waits on the instance (~200 ms) far longer than it computes
# (~5 ms), so a worker holds many requests at once: one worker per core, each with many threads.
# Request slots must cover peak pages/s x seconds a page waits upstream, and each worker about
# twice its share: a worker keeps the keep-alive connections it accepted, and they do not
# spread evenly (37/27 and 22/42 of 64 in the bench; beyond its threads a request waits).
WORKER_CLASS = "gthread"
THREADS = 64


def default_workers(shared_state: bool) -> int:
    """One worker per core (at least 2, so that a restarting worker never stops the site)
    when the workers share state through Redis; else 1, since each worker would keep its
    own login limits and cache."""
    return max(2, os.cpu_count() or 1) if shared_state else 1


def server_environment(env) -> dict:
    """The environment of the gunicorn processes: env, and unless it says otherwise, glibc's
    malloc tuned for a worker with many threads. Each thread that allocates would get its own
    arena (two at most here, ~15 MB less); and a fixed mmap threshold makes the buffers of a
    page (its answer, its HTML, ~50-200 KB) go back to the system when the page is sent,
    instead of the threshold rising until they stay in the heap (~3 MB less per worker after
    64 learners at once)."""
    return {
        "MALLOC_ARENA_MAX": "2",
        "MALLOC_MMAP_THRESHOLD_": "65536",
        "MALLOC_TRIM_THRESHOLD_": "131072",
        **env,
    }


def gunicorn_command(
    bind: str,
    workers: int,
    threads: int = THREADS,
    worker_class: str = WORKER_CLASS,
    extra: tuple[str, ...] = (),
    app: str = "portal.wsgi:app",
) -> list[str]:
    """The gunicorn command line of `portal serve` (also used by `portal demo` and the bench)."""
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        # The portal logs one JSON line per request itself (portal/request_log.py).
        "--error-logfile",
        "-",
        "--keep-alive",
        "5",
        # gunicorn's control socket sits at one path per user: several portals on a host
        # would fight over it, and nothing here uses it.
        "--no-control-socket",
        # Hooks: metrics of ended workers, METRICS_BIND, the workers' heartbeat in memory.
        "--config",
        "python:portal.gunicorn_config",
    ]
    if worker_class == "gthread":
        args += ["--threads", str(threads)]
    else:
        args += ["--worker-connections", str(threads)]
    return [*args, *extra, app]


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
@click.option(
    "--sandbox-port",
    default=SANDBOX_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port of the embedded sandbox (taken by something else: any free port).",
)
@click.option(
    "--sandbox-host",
    default="127.0.0.1",
    show_default=True,
    help="Interface of the embedded sandbox (0.0.0.0 in a container, to publish its port).",
)
@click.option(
    "--public-url",
    default=None,
    envvar="PORTAL_PUBLIC_URL",
    help="Where browsers reach the portal, when not at the address it listens on (a "
    "container's published port): the embedded sandbox's sign-in and sign-out lead there.",
)
def demo(
    host: str,
    port: int,
    data_dir: str | None,
    reset: bool,
    sandbox_port: int,
    sandbox_host: str,
    public_url: str | None,
) -> None:
    """Run the portal locally on the production server; with TI_BASE_URL unset, against the
    embedded sandbox, one sign-in for both (JWT single sign-on)."""
    env = dict(os.environ)
    logins, sandbox = {}, None
    if not env.get("TI_BASE_URL"):
        url, sandbox = start_embedded_sandbox(
            Path(data_dir or var_dir() / "sandbox"), reset, sandbox_port, sandbox_host
        )
        env["TI_BASE_URL"], env["TI_API_KEY"] = url, sandbox.api_key
        click.echo(f"Sandbox (TI API) running at {url}")
        click.echo(f"Sandbox mail outbox: {url}/outbox")
        from portal.sandbox.demo import DEMO_LOGINS as logins
    env.setdefault("PORTAL_DEMO", "1")
    # The demo instance hands out registration codes (JOIN-NORTHWIND): /join is open.
    env.setdefault("PORTAL_REGISTRATION", "1")
    # The socket is bound here, so that the address printed is the one served (port 0: any
    # free port) and a taken port is reported before anything starts.
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.listen(128)
    shown = f"[{host}]" if ":" in host else host
    listening = f"http://{shown}:{listener.getsockname()[1]}"
    if sandbox is not None:
        # On every interface, browsers still reach it as 127.0.0.1 (as the sandbox).
        reached = public_url or listening.replace("://0.0.0.0:", "://127.0.0.1:")
        env.update(single_sign_on(sandbox, reached.rstrip("/")))
    click.echo(f"Portal running at {listening}/")
    if logins:
        click.echo("Demo logins:")
    for who, (email, password) in logins.items():
        click.echo(f"  {email} / {password}   ({who})")
    click.echo("Press Ctrl+C to stop.")
    # One worker; Ctrl+C gives requests in flight 5 seconds.
    extra = ("--graceful-timeout", "5")
    command = gunicorn_command(f"fd://{listener.fileno()}", workers=1, extra=extra)
    server = subprocess.Popen(command, env=server_environment(env), pass_fds=(listener.fileno(),))
    listener.close()
    _wait_for(server)


def _wait_for(server: subprocess.Popen) -> None:
    """Wait for the server; Ctrl+C or SIGTERM stop it (and, on return, the sandbox thread)."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.wait()
    except KeyboardInterrupt:
        # Ctrl+C in a terminal reaches gunicorn too; a signal to this process alone is
        # passed on.
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option(
    "--workers",
    default=lambda: default_workers(bool(os.environ.get("REDIS_URL"))),
    show_default="one per core (at least 2) with REDIS_URL, else 1",
    type=click.IntRange(1),
)
@click.option(
    "--threads",
    default=THREADS,
    show_default=True,
    type=click.IntRange(1),
    help="Requests each worker serves at once (gevent: connections per worker).",
)
@click.option(
    "--worker-class",
    default=WORKER_CLASS,
    show_default=True,
    type=click.Choice(["gthread", "gevent"]),
    help="gevent needs the gevent package installed.",
)
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve(
    bind: str, workers: int, threads: int, worker_class: str, gunicorn_args: tuple[str, ...]
) -> None:
    """Run the portal in production with gunicorn (set TI_BASE_URL, TI_API_KEY, SECRET_KEY)."""
    from portal.gunicorn_config import metrics_environment
    from portal.metrics import split_bind
    from portal.security import serve_options

    try:
        options = serve_options(workers, os.environ)
        if os.environ.get("METRICS_BIND"):
            split_bind(os.environ["METRICS_BIND"])
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    args = gunicorn_command(bind, workers, threads, worker_class, (*options, *gunicorn_args))
    # Every worker counts into files of one folder, read whole by whichever answers /metrics.
    env = server_environment({**os.environ, **metrics_environment(os.environ)})
    os.execvpe(args[0], args, env)
