"""Benchmark: certificates page server time and certificate PDF generation time."""

from __future__ import annotations

import statistics
import time

from _live import p95, signed_in_portal

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
    with signed_in_portal("busy") as live:
        client = live.client
        cert = live.store.scalar(
            "SELECT c.id FROM certificates c JOIN users u ON u.id = c.user_id "
            "WHERE u.email = ? AND c.resource_id IS NOT NULL LIMIT 1",
            live.email,
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
            "certificate PDF": timed(client, f"/certificates/{cert}.pdf", RUNS["certificate PDF"]),
            "transcript PDF": timed(client, "/certificates/transcript.pdf", RUNS["transcript PDF"]),
        }
    print(f"{'measure':<30} {'runs':>5} {'median ms':>10} {'p95 ms':>10} {'max ms':>10}")
    for name, times in results.items():
        print(
            f"{name:<30} {len(times):>5} {statistics.median(times):>10.1f} "
            f"{p95(times):>10.1f} {max(times):>10.1f}"
        )


if __name__ == "__main__":
    main()
