"""What the portal benchmarks share: the portal signed in to a live sandbox with the demo data.

The benchmarks run as scripts (`python tests/benchmarks/bench_x.py`), so their own folder is on
`sys.path` and they import this module as `_live`; it puts the repository root there for `portal`.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

API_KEY = "bench-api-key"


@dataclass
class Live:
    app: object  # the portal
    client: object  # its test client, signed in
    store: object  # the sandbox's store
    email: str  # the signed-in learner's


def portal_config(base_url: str, tmp: str | Path, **overrides) -> dict:
    """The portal's settings in the benchmarks: the instance at base_url, sessions in files
    under tmp, no CSRF (the clients post no forms' tokens) and no login limits."""
    return {
        "TESTING": True,
        "TI_BASE_URL": base_url,
        "TI_API_KEY": API_KEY,
        "SECRET_KEY": "bench",
        "SESSION_TYPE": "filesystem",
        "SESSION_FILE_DIR": str(Path(tmp) / "sessions"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # The sandbox here keeps no budget: neither does the portal.
        "TI_POINTS_PER_MINUTE": 0,
        "REDIS_URL": None,
        **overrides,
    }


def _serve_sandbox(data_dir: Path, ready) -> None:
    """In the child process: the sandbox with fresh demo data, until the process is ended."""
    import threading

    from portal.sandbox import create_sandbox_app
    from portal.sandbox.demo import build_demo
    from portal.sandbox.server import start

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # No points budget: a benchmark's hundreds of pages a minute would be turned away.
    sandbox_app = create_sandbox_app(data_dir, api_key=API_KEY, points_per_minute=10**9)
    build_demo(sandbox_app)
    server = start(sandbox_app)
    ready.put(server.url)
    threading.Event().wait()


@contextmanager
def sandbox_process(folder: Path) -> Iterator[str]:
    """A sandbox with fresh demo data under folder, on a loopback port, in a process of its
    own (in this one its threads would hold the interpreter while the portal works, and the
    portal's times would count the sandbox's): its URL. The process stops on exit."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    child = context.Process(target=_serve_sandbox, args=(folder, ready))
    child.start()
    try:
        yield ready.get(timeout=180)
    finally:
        child.terminate()
        child.join(timeout=10)


@contextmanager
def signed_in_portal(who: str = "busy") -> Iterator[Live]:
    """A sandbox with fresh demo data on a loopback port (`sandbox_process`), and a portal
    test client configured against it and signed in as the demo learner `who`; the sandbox
    stops on exit."""
    for quiet in ("werkzeug", "portal.requests"):  # no line per request
        logging.getLogger(quiet).setLevel(logging.WARNING)
    from portal import create_app
    from portal.sandbox.demo import DEMO_LOGINS
    from portal.sandbox.store import Store

    with tempfile.TemporaryDirectory() as tmp, sandbox_process(Path(tmp) / "sandbox") as url:
        store = Store(Path(tmp) / "sandbox" / "sandbox.sqlite3")
        try:
            app = create_app(portal_config(url, tmp))
            client = app.test_client()
            email, password = DEMO_LOGINS[who]
            client.post("/login", data={"email": email, "password": password})
            yield Live(app, client, store, email)
        finally:
            store.close()


def p95(times: list[float]) -> float:
    """The 95th percentile of times (nearest rank)."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
