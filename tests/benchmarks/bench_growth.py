"""Benchmark: what each page costs as a learner's history grows (10, 100, 1,000 items).

    python tests/benchmarks/bench_growth.py [--runs 15] [--sizes 10 100 1000]

Learners with 10, 100 and 1,000 content items, and certificates, bookmarks, events and awards
in proportion (`tests/growth.py`), are added to a sandbox with the demo data. Each learner's
pages are visited once through a recording proxy, then measured against a stand-in instance
replaying those answers at once from a process of its own (`_upstream.py`), so that the
sandbox's own work (a second or more on a thousand items) stays out of the portal's times.
Each page is loaded as a first view (no page, fragment or value kept: PAGE_CACHE_SIZE=0,
FRAGMENT_CACHE_SIZE=0) and measured: the portal thread's CPU time (server time: everything the
portal does, reading the instance's answers included, waiting for them excluded), of it the
time that reading alone takes (read ms: the answers' JSON decoded and freed again, as the
portal's client decodes them), the bytes sent (compressed as for a browser), the bytes of the
instance's answers and the upstream requests. What a page shows is paged, so what it costs
should stay flat: under each page the 1,000-item learner's figures over the 10-item and the
100-item learner's. Lists the instance gives no page size for come whole, and reading them
grows with the history whatever the portal does: the ratios are also given without it.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import msgspec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from _live import portal_config, sandbox_process  # noqa: E402
from _upstream import recording, stand_in  # noqa: E402

from tests.growth import add_learner  # noqa: E402

SIZES = (10, 100, 1000)
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
TABS = (
    "completedItems",
    "learningPaths",
    "eventItems",
    "bookmarkFolders",
    "certificates",
    "waitlistedCourses",
    "archivedContentItems",
)
PAGES = (
    ("dashboard", "/dashboard"),
    *((f"tab {tab}", f"/dashboard?tab={tab}") for tab in TABS),
    ("certificates", "/certificates"),
    ("badges", "/badges"),
    ("content page", "{course}"),
)
GOAL = 1.5  # the largest learner's server time within this many times the smallest's


def first_course(client) -> str:
    """The address of a course's content page from the learner's dashboard."""
    import re

    html = client.get("/dashboard?kind=course").get_data(as_text=True)
    return re.search(r'href="(/learn/course/[^"]+)"', html).group(1)


class Learner:
    """One learner's portal (keeping nothing) against the replay of their answers."""

    def __init__(self, url: str, folder: Path, email: str, password: str):
        from flask import g, request_finished

        from portal import api
        from portal.api import client as api_client

        self.app, self.client = portal_for(url, folder, email, password)
        self.course = first_course(self.client)  # the visits recorded: the same questions
        self.seen: dict = {}

        def record(sender, response, **extra):
            self.seen.update(api.stats())
            self.seen["answers"] = [body for _, body in g.get(api_client._ANSWERS, ())]

        self._record = record  # the signal keeps a weak reference
        request_finished.connect(record, self.app)

    def load(self, path: str) -> dict:
        """One first view of path: the portal thread's CPU ms, bytes sent, bytes answered by
        the instance, upstream requests."""
        path = path.format(course=self.course)
        began = time.thread_time()
        response = self.client.get(path, headers={"Accept-Encoding": BROWSER_ENCODINGS})
        cpu_ms = (time.thread_time() - began) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return {
            "cpu_ms": cpu_ms,
            "read_ms": read_ms(self.seen["answers"]),
            "sent": len(response.get_data()),
            "answer_bytes": sum(len(body) for body in self.seen["answers"]),
            "requests": self.seen["requests"],
        }

    def drawn(self, path: str) -> int:
        """The items and certificates the page shows."""
        html = self.client.get(path.format(course=self.course)).get_data(as_text=True)
        marks = ('<li class="content-card', '<li class="content-item"', '"certificate-row ')
        return sum(html.count(mark) for mark in marks)


def read_ms(bodies: list[bytes]) -> float:
    """The thread's CPU ms to decode the instance's answers as the portal's client does
    (msgspec) and to free them again."""
    began = time.thread_time()
    for body in bodies:
        answer = msgspec.json.decode(body)
        del answer
    return (time.thread_time() - began) * 1000


def _unread(row: dict) -> float:
    """Server ms less the reading of the instance's answers."""
    return max(row["cpu_ms"] - row["read_ms"], 0.01)


def portal_for(url: str, folder: Path, email: str, password: str):
    """A portal keeping nothing, against the instance at url, signed in: (app, client)."""
    from portal import create_app

    app = create_app(portal_config(url, folder, PAGE_CACHE_SIZE=0, FRAGMENT_CACHE_SIZE=0))
    client = app.test_client()
    signed = client.post("/login", data={"email": email, "password": password})
    assert signed.status_code in (302, 303), signed.status_code
    return app, client


def record_learner(url: str, folder: Path, email: str, password: str) -> Path:
    """Every page of one learner visited through a recording proxy in front of the sandbox
    at url (twice: a dashboard's first draw in a session asks a little less); the answers'
    file."""
    with recording(url) as (proxy_url, recorded):
        _app, client = portal_for(proxy_url, folder / "recording", email, password)
        course = first_course(client)
        for _name, path in PAGES:
            for _ in range(2):
                client.get(path.format(course=course))
    answers = folder / "answers.json"
    answers.write_text(json.dumps(recorded))
    return answers


def measure(answers: dict, logins: dict, folder: Path, runs: int) -> dict:
    """Medians of `runs` first views of every page of every learner, the learners taking
    turns on each page, so that what else runs on the machine weighs on all of them."""
    with ExitStack() as stack:
        urls = {size: stack.enter_context(stand_in(answers[size], 0)) for size in logins}
        learners = {
            size: Learner(urls[size], folder / str(size), *login) for size, login in logins.items()
        }
        samples: dict = {(name, size): [] for name, _ in PAGES for size in learners}
        for name, path in PAGES:
            for learner in learners.values():
                # Templates compiled; the percents of the list's started courses known, as
                # for a learner reloading the page (coming from another tab costs a request).
                learner.load(path)
            for _ in range(runs):
                for size, learner in learners.items():
                    samples[name, size].append(learner.load(path))
        results = {}
        for (name, size), rows in samples.items():
            found = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
            found["drawn"] = learners[size].drawn(dict(PAGES)[name])
            results[name, size] = found
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    began = time.perf_counter()
    for quiet in ("werkzeug", "portal.requests"):
        logging.getLogger(quiet).setLevel(logging.WARNING)
    from portal.sandbox.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        with sandbox_process(Path(tmp) / "sandbox") as url:
            store = Store(Path(tmp) / "sandbox" / "sandbox.sqlite3")
            logins = {size: add_learner(store, size) for size in args.sizes}
            store.close()
            answers = {
                size: record_learner(url, Path(tmp) / f"recorded-{size}", *login)
                for size, login in logins.items()
            }
            print(f"  {len(logins)} learners recorded", flush=True)
        results = measure(answers, logins, Path(tmp), args.runs)
    report(results, args.sizes, args.runs, time.perf_counter() - began)


def report(results: dict, sizes: list[int], runs: int, took: float) -> None:
    print()
    print(
        f"First views (nothing kept), medians of {runs} loads; server ms = the portal thread's "
        "CPU time"
    )
    print(
        f"{'page':<28}{'items':>6}{'drawn':>6}{'server ms':>11}{'read ms':>9}{'bytes sent':>12}"
        f"{'answer bytes':>14}{'upstream req':>14}"
    )
    worst: dict[int, tuple[float, str]] = {}  # smaller learner -> the largest ratio, its page
    worst_unread: dict[int, tuple[float, str]] = {}  # the same, reading the answers left out
    for name, _ in PAGES:
        for size in sizes:
            row = results[name, size]
            print(
                f"{name:<28}{size:>6}{row['drawn']:>6}{row['cpu_ms']:>11.1f}{row['read_ms']:>9.1f}"
                f"{row['sent']:>12.0f}{row['answer_bytes']:>14.0f}{row['requests']:>14.0f}"
            )
        large = results[name, max(sizes)]
        for size in sorted(sizes)[:-1]:
            small = results[name, size]
            ratio = large["cpu_ms"] / small["cpu_ms"]
            unread = _unread(large) / _unread(small)
            worst[size] = max(worst.get(size, (0.0, "")), (ratio, name))
            worst_unread[size] = max(worst_unread.get(size, (0.0, "")), (unread, name))
            print(
                f"{'':<28}{max(sizes)} / {size} items: server time {ratio:.2f}x ({unread:.2f}x "
                f"without reading the answers), bytes sent {large['sent'] / small['sent']:.2f}x, "
                f"answer bytes {large['answer_bytes'] / max(small['answer_bytes'], 1):.1f}x, "
                f"upstream requests {large['requests'] / max(small['requests'], 1):.1f}x"
            )
    for size, (ratio, name) in sorted(worst.items()):
        verdict = "within" if ratio <= GOAL else "NOT within"
        unread, unread_name = worst_unread[size]
        print(
            f"Largest server-time ratio, {max(sizes)} / {size} items: {ratio:.2f}x ({name}): "
            f"{verdict} the goal of {GOAL}x; without reading the instance's answers "
            f"{unread:.2f}x ({unread_name})"
        )
    print(
        "drawn: the items and certificates the page shows (a page of a list shows at most 12,\n"
        "the Certificates page 20); a learner of 10 items has fewer to show on most tabs."
    )
    print(f"(bench ran {took:.0f} s)")


if __name__ == "__main__":
    main()
