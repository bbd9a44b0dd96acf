"""gunicorn settings and hooks of `portal serve` (`--config python:portal.gunicorn_config`): the
metrics of a worker that ended are marked dead, METRICS_BIND serves /metrics from the arbiter,
and a metrics folder `portal serve` made is removed when gunicorn exits."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Set by `portal serve` to the metrics folder it made itself (removed at exit).
MADE_ENV = "PORTAL_METRICS_DIR_MADE"
SHARED_MEMORY = "/dev/shm"


def writable_memory() -> str | None:
    """/dev/shm when this process may write there (a tmpfs, also under a read-only root)."""
    return SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) else None


def metrics_environment(env) -> dict:
    """The variables `portal serve` adds for prometheus-client's multiprocess mode: a given
    PROMETHEUS_MULTIPROC_DIR is emptied of the last run's files (as the client asks), else a
    new folder is made in memory (or the temporary folder) and removed at exit."""
    given = env.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return {}
    made = tempfile.mkdtemp(prefix="portal-metrics-", dir=writable_memory())
    return {MULTIPROC_ENV: made, MADE_ENV: made}


# gunicorn's workers touch a file every few seconds to show they live: in memory, not on a
# disk that may be slow or read-only (a container's root filesystem).
worker_tmp_dir = writable_memory()


def when_ready(server) -> None:
    """Serve the metrics of every worker on METRICS_BIND (`0.0.0.0:9100`), when it is set."""
    bind = os.environ.get("METRICS_BIND")
    if not bind:
        return
    from prometheus_client import start_http_server

    from portal import metrics
    from portal.config import from_env

    host, port = metrics.split_bind(bind)
    scraped = metrics.registry(metrics.site_collector(from_env()))
    start_http_server(port, host, registry=scraped)
    server.log.info("Metrics at http://%s/metrics", bind)


def child_exit(server, worker) -> None:
    """A worker ended: its live gauges go (its counters stay in the totals), as prometheus-client's
    multiprocess mode asks."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    made = os.environ.get(MADE_ENV)
    if made and made == os.environ.get(MULTIPROC_ENV):
        shutil.rmtree(made, ignore_errors=True)
