"""Benchmark: dashboard renders, server time with the upstream excluded, API cost, HTML size."""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

API_KEY = "bench-api-key"
RUNS = 15
HX = {"HX-Request": "true"}
VIEWS = (
    ("dashboard page", "/dashboard", {}),
    ("dashboard archived tab page", "/dashboard?tab=archivedContentItems", {}),
    ("tab switch (htmx)", "/dashboard?tab=waitlistedCourses", HX),
    (
        "search (htmx, list only)",
        "/dashboard?q=data&sort=title",
        {**HX, "HX-Target": "content-list"},
    ),
    ("recent content (htmx)", "/dashboard/recent?limit=25", HX),
)


class UpstreamClock:
    """Time spent inside api calls during one portal request (wraps the client's execute)."""

    def __init__(self):
        self.seconds = 0.0

    def install(self) -> None:
        from portal.api import client

        original = client.execute

        def timed_execute(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        client.execute = timed_execute


def measure(app, client, clock: UpstreamClock, url: str, headers: dict) -> dict:
    from flask import request_finished

    from portal import api

    rows = {"server_ms": [], "requests": [], "points": [], "bytes": []}
    seen: dict = {}

    def record(sender, response, **extra):
        seen.update(api.stats())

    request_finished.connect(record, app)
    try:
        for _ in range(RUNS):
            clock.seconds = 0.0
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            total = time.perf_counter() - start
            assert response.status_code == 200, (url, response.status_code)
            rows["server_ms"].append((total - clock.seconds) * 1000)
            rows["requests"].append(seen["requests"])
            rows["points"].append(seen["points"])
            rows["bytes"].append(len(response.get_data()))
    finally:
        request_finished.disconnect(record, app)
    return rows


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    from portal import create_app
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.demo import DEMO_LOGINS, build_demo
    from portal.sandbox.server import start

    clock = UpstreamClock()
    clock.install()
    with tempfile.TemporaryDirectory() as tmp:
        sandbox_app = create_sandbox_app(Path(tmp) / "sandbox", api_key=API_KEY)
        build_demo(sandbox_app)
        server = start(sandbox_app)
        try:
            app = create_app(
                {
                    "TESTING": True,
                    "TI_BASE_URL": server.url,
                    "TI_API_KEY": API_KEY,
                    "SECRET_KEY": "bench",
                    "SESSION_TYPE": "filesystem",
                    "SESSION_FILE_DIR": str(Path(tmp) / "sessions"),
                    "WTF_CSRF_ENABLED": False,
                    "RATELIMIT_ENABLED": False,
                    "REDIS_URL": None,
                }
            )
            client = app.test_client()
            email, password = DEMO_LOGINS["busy"]
            client.post("/login", data={"email": email, "password": password})
            client.get("/dashboard")  # warm up templates and instance data
            results = {
                name: measure(app, client, clock, url, headers) for name, url, headers in VIEWS
            }
        finally:
            server.stop()
    print(
        f"{'dashboard view':<30} {'runs':>5} {'median ms':>10} {'p95 ms':>8} "
        f"{'upstream req':>12} {'points':>7} {'HTML bytes':>11}"
    )
    for name, rows in results.items():
        ordered = sorted(rows["server_ms"])
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{name:<30} {RUNS:>5} {statistics.median(ordered):>10.1f} {p95:>8.1f} "
            f"{max(rows['requests']):>12} {max(rows['points']):>7} {max(rows['bytes']):>11}"
        )
    print("server ms = time in the portal minus time inside api calls (upstream excluded)")


if __name__ == "__main__":
    main()
