"""Benchmark: dashboard renders, server time with the upstream excluded, API cost, HTML size."""

from __future__ import annotations

import statistics
import time

from _live import p95, signed_in_portal
from _upstream import replayed_portal

RUNS = 40
HX = {"HX-Request": "true"}
TABS = ("completedItems", "learningPaths", "eventItems", "bookmarkFolders", "certificates")
VIEWS = (
    ("dashboard page", "/dashboard", {}),
    # The same page with nothing kept from the last one: what a changed answer costs.
    ("dashboard page, drawn afresh", "/dashboard", {}),
    ("dashboard archived tab page", "/dashboard?tab=archivedContentItems", {}),
    ("tab switch (htmx)", "/dashboard?tab=waitlistedCourses", HX),
    (
        "search (htmx, list only)",
        "/dashboard?q=data&sort=title",
        {**HX, "HX-Target": "content-list"},
    ),
    ("recent content (htmx)", "/dashboard/recent?limit=25", HX),
    *((f"{tab} tab page", f"/dashboard?tab={tab}", {}) for tab in TABS),
    *((f"{tab} tab (htmx)", f"/dashboard?tab={tab}", HX) for tab in TABS),
)


# Measured a second time against recorded answers (`_upstream.replayed_portal`): the live
# sandbox's own work on the same CPUs slows the portal's next milliseconds.
REPLAYED = {
    "dashboard page, recorded": "dashboard page",
    "drawn afresh, recorded": "dashboard page, drawn afresh",
}


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


def measure(app, client, clock: UpstreamClock, name: str, url: str, headers: dict) -> dict:
    from flask import request_finished

    from portal import api

    rows = {"server_ms": [], "cpu_ms": [], "requests": [], "points": [], "bytes": []}
    seen: dict = {}
    afresh = app.extensions["kept_pages"].clear if "afresh" in name else lambda: None

    def record(sender, response, **extra):
        seen.update(api.stats())

    request_finished.connect(record, app)
    try:
        for _ in range(RUNS):
            afresh()
            clock.seconds = 0.0
            start, cpu_start = time.perf_counter(), time.thread_time()
            response = client.get(url, headers=headers)
            total = time.perf_counter() - start
            rows["cpu_ms"].append((time.thread_time() - cpu_start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            rows["server_ms"].append((total - clock.seconds) * 1000)
            rows["requests"].append(seen["requests"])
            rows["points"].append(seen["points"])
            rows["bytes"].append(len(response.get_data()))
    finally:
        request_finished.disconnect(record, app)
    return rows


def learn_views(client, dashboard: str) -> list[tuple]:
    """A content page, and the one progress request an htmx list makes for its started courses."""
    import re

    views = []
    course = re.search(r'href="(/learn/course/[^"]+)"', dashboard)
    if course:
        views.append(("content page", course.group(1), {}))
    listing = client.get("/dashboard?q=a", headers={**HX, "HX-Target": "content-list"})
    loader = re.search(r'hx-get="(/learn/progress\?[^"]+)"', listing.get_data(as_text=True))
    if loader:
        views.append(("list progress (htmx)", loader.group(1).replace("&amp;", "&"), HX))
    return views


def main() -> None:
    clock = UpstreamClock()
    clock.install()
    with signed_in_portal("busy") as live:
        app, client = live.app, live.client
        page = client.get("/dashboard").get_data(as_text=True)  # warm up templates, instance data
        results = {
            name: measure(app, client, clock, name, url, headers) for name, url, headers in VIEWS
        }
        for name, url, headers in learn_views(client, page):
            results[name] = measure(app, client, clock, name, url, headers)
    # The dashboard again, against its recorded answers: the portal alone on these CPUs.
    with replayed_portal("busy", TESTING=False) as (app, client):
        for _ in range(3):  # the started courses learnt, templates compiled
            client.get("/dashboard")
        for label, name in REPLAYED.items():
            results[label] = measure(app, client, clock, name, "/dashboard", {})
    print(
        f"{'dashboard view':<30} {'runs':>5} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} "
        f"{'upstream req':>12} {'points':>7} {'HTML bytes':>11}"
    )
    for name, rows in results.items():
        times = rows["server_ms"]
        print(
            f"{name:<30} {RUNS:>5} {statistics.median(times):>10.1f} {p95(times):>8.1f} "
            f"{statistics.median(rows['cpu_ms']):>7.1f} "
            f"{max(rows['requests']):>12} {max(rows['points']):>7} {max(rows['bytes']):>11}"
        )
    print("server ms = time in the portal minus time inside api calls (upstream excluded)")
    print(
        "recorded = the same page against a stand-in replaying the sandbox's answers "
        "at once, as an instance on machines of its own (the live sandbox spends ~20 ms of "
        "CPU per dashboard on the same CPUs as the portal)"
    )
    print(
        "cpu ms = median CPU time of the thread serving the page (API client included): "
        "on a shared machine, wall times grow with the load, CPU times much less"
    )
    full = max(max(results[name]["requests"]) for name, _, headers in VIEWS if not headers)
    partial = max(max(rows["requests"]) for name, rows in results.items() if "htmx" in name)
    print(f"upstream requests: full dashboard render {full} (budget 2), htmx partial {partial} (1)")


if __name__ == "__main__":
    main()
