"""Requests per second of the sandbox's GraphQL endpoint with 8 concurrent clients (make bench)."""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent / "sandbox")]

from conftest import build_dataset, start_gql_sandbox  # noqa: E402  (tests/sandbox dataset)

from portal.sandbox.store import Store  # noqa: E402

CLIENTS = 8
SECONDS = 4.0
CURRENT_USER = "{ CurrentUser { id name email balance client { id name } activeLicense { id } } }"
DASHBOARD = """{
  CurrentUser { id name certificatesCount completedCoursesCount client { languages } }
  UserContentGroups { kind count }
  UserRecentContent(limit: 5) { id title url asset tags { label } }
  UserContentItems(sortColumn: title) { id title kind status currentUserDueDate }
  UserCertificates { id issuedAt expirationDate isExpired }
  UserWaitlist { id title }
  BadgeLeaderboard(limit: 5) { leaders { rank total user { name } } currentUserPosition { rank } }
}"""


def run(url: str, token: str, document: str) -> tuple[int, list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client() -> None:
        session = requests.Session()
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            answer = session.post(
                f"{url}/helium",
                params={"apiKey": "test-key"},
                json={"query": document},
                headers={"authToken": token},
                timeout=10,
            )
            if answer.status_code != 200 or "errors" in answer.json():
                raise SystemExit(f"benchmark request failed: {answer.text[:300]}")
            mine.append(time.perf_counter() - started)
        session.close()
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies, time.perf_counter() - began


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory() as tmp:
        dataset = Path(tmp) / "dataset"
        store = Store(dataset / "sandbox.sqlite3")
        build_dataset(store)
        store.close()
        server, app = start_gql_sandbox(dataset, Path(tmp) / "run", points_per_minute=10**9)
        try:
            login = requests.post(
                f"{server.url}/helium",
                params={"apiKey": "test-key"},
                json={
                    "query": 'mutation { Login(email: "avery@example.com", '
                    'password: "avery-pass-1") }'
                },
                timeout=10,
            )
            token = login.json()["data"]["Login"]
            print(
                f"{'query':<14}{'clients':>8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
            )
            for name, document in (("CurrentUser", CURRENT_USER), ("Dashboard", DASHBOARD)):
                count, latencies, elapsed = run(server.url, token, document)
                latencies.sort()
                p50 = statistics.median(latencies) * 1000
                p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
                print(
                    f"{name:<14}{CLIENTS:>8}{count:>10}{count / elapsed:>9.0f}{p50:>9.1f}"
                    f"{p95:>9.1f}"
                )
        finally:
            server.stop()
            app.extensions["sandbox"].store.close()


if __name__ == "__main__":
    main()
