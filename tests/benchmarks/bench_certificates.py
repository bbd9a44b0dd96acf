"""Benchmark: certificates page server time and certificate PDF generation time."""

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
RUNS = {
    "certificates page": 20,
    "certificates search (htmx)": 20,
    "certificate PDF": 5,
    "transcript PDF": 3,
}


def timed(client, url: str, runs: int, headers=None) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, headers=headers or {})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    from portal import create_app
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.demo import DEMO_LOGINS, build_demo
    from portal.sandbox.server import start

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
            store = sandbox_app.extensions["sandbox"].store
            cert = store.scalar(
                "SELECT c.id FROM certificates c JOIN users u ON u.id = c.user_id "
                "WHERE u.email = ? AND c.resource_id IS NOT NULL LIMIT 1",
                email,
            )
            timed(client, "/certificates", 1)  # warm up caches and templates
            results = {
                "certificates page": timed(client, "/certificates", RUNS["certificates page"]),
                "certificates search (htmx)": timed(
                    client,
                    "/certificates?query=Leadership&expired=1",
                    RUNS["certificates search (htmx)"],
                    {"HX-Request": "true"},
                ),
                "certificate PDF": timed(
                    client, f"/certificates/{cert}.pdf", RUNS["certificate PDF"]
                ),
                "transcript PDF": timed(
                    client, "/certificates/transcript.pdf", RUNS["transcript PDF"]
                ),
            }
        finally:
            server.stop()
    print(f"{'measure':<30} {'runs':>5} {'median ms':>10} {'p95 ms':>10} {'max ms':>10}")
    for name, times in results.items():
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{name:<30} {len(times):>5} {statistics.median(times):>10.1f} "
            f"{p95:>10.1f} {max(times):>10.1f}"
        )


if __name__ == "__main__":
    main()
