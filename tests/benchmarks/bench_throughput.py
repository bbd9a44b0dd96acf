"""Benchmark: pages/s of the portal under `portal serve` defaults next to a minimal Flask app,
both waiting on the same stand-in instance; then worker memory, start-up import time, bytes on
the wire and the portal's own time per dashboard.

    python tests/benchmarks/bench_throughput.py [--latency-ms 200] [--seconds 6] [--compare]

The instance is `_upstream.py`: real sandbox answers replayed after a fixed latency. The
minimal app (`_minimal.py`) makes one upstream call per page under the same gunicorn settings.
The replayed answers never change, so after its first draw the portal serves each learner's
dashboard kept (`fragments.kept_page`): the warm row. A second portal keeping nothing
(PAGE_CACHE_SIZE=0 FRAGMENT_CACHE_SIZE=0: no page, sent page, card, fragment or value kept)
draws every page as a learner's first view of it: the first-view row. `--compare` adds other
worker models and sizes (gevent when it is installed). Everything runs on loopback ports the
system picks; each load level runs for a fixed time. The portal, the minimal app and the
first-view portal take turns (portal, minimal, first view; at 64 learners a second round in
the reverse order), pooled into one row each; the ratio lines also give each round's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from _upstream import API_KEY, record_answers  # noqa: E402

from portal.cli import (  # noqa: E402
    THREADS,
    WORKER_CLASS,
    default_workers,
    gunicorn_command,
    server_environment,
)
from portal.sandbox.demo import DEMO_LOGINS  # noqa: E402

LEVELS = (8, 64)
# Rounds of each app per level, taken in turns: where the goal is judged, more than one.
ROUNDS = {64: 2}
WARM_UP = 2.0
# Worker memory is read after this many dashboards (more load, at most TOP_UP_SECONDS, if the
# levels served fewer).
MEMORY_AFTER = 1000
TOP_UP_SECONDS = 30.0
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends


# -- a small HTTP/1.1 client on asyncio: 64 learners cost the load generator little CPU -------


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    wire_bytes: int


class Connection:
    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict | None = None) -> Answer:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                return await self._exchange("GET", path, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def post_form(self, path: str, form: str, headers: dict) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        headers = {
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(form)),
        }
        return await self._exchange("POST", path, headers, form.encode())

    async def _exchange(self, method: str, path: str, headers: dict, body: bytes = b""):
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed")
        wire = len(status_line)
        answer_headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            wire += len(line)
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "set-cookie" and name in answer_headers:
                answer_headers[name] += "\n" + value.strip()
            else:
                answer_headers[name] = value.strip()
        length = int(answer_headers.get("content-length") or 0)
        payload = await self.reader.readexactly(length) if length else b""
        wire += len(payload)
        if answer_headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(int(status_line.split()[1]), answer_headers, payload, wire)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass
        self.reader = self.writer = None


# -- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    """A gunicorn master started for the bench; its output is kept for the request log."""

    process: subprocess.Popen
    port: int = 0
    lines: list = field(default_factory=list)

    def worker_pids(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(entry.name))
        return sorted(found)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the workers (user + system)."""
        ticks = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_gunicorn(command: list[str], env: dict, boot_timeout: float = 60) -> Server:
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    server = Server(process)
    listening = threading.Event()

    def read() -> None:
        for line in process.stderr:
            server.lines.append(line)
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if found:
                server.port = int(found.group(1))
                listening.set()

    threading.Thread(target=read, daemon=True).start()
    if not listening.wait(boot_timeout):
        server.stop()
        raise SystemExit("gunicorn did not start:\n" + "".join(server.lines))
    return server


def wait_until_serving(port: int, workers: int) -> None:
    async def ping() -> None:
        deadline = time.monotonic() + 60
        seen = 0
        while seen < workers * 4 and time.monotonic() < deadline:
            connection = Connection(port)
            try:
                answer = await connection.get("/healthz", {"Connection": "close"})
                seen += answer.status == 200
            except OSError:
                await asyncio.sleep(0.1)
            finally:
                await connection.close()

    asyncio.run(ping())


def start_redis() -> tuple[subprocess.Popen | None, str]:
    """A redis-server on a free loopback port, without persistence; (None, "") when the
    machine has none."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(server, os.X_OK):
        print("(no redis-server here: one worker, as `portal serve` runs without Redis)")
        return None, ""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"redis-server did not answer on port {port}")


def start_replay(answers: Path, latency_ms: float) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_upstream.py"), "replay", str(answers)]
        + ["--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    first = process.stdout.readline()
    if not first.startswith("PORT "):
        process.kill()
        raise SystemExit(f"the stand-in instance did not start: {first!r}")
    return process, int(first.split()[1])


# -- load --------------------------------------------------------------------------------------


async def sign_in(port: int, learners: int) -> list[str]:
    """Session cookies of `learners` separate sign-ins of the busy demo learner."""
    email, password = DEMO_LOGINS["busy"]
    from urllib.parse import urlencode

    async def one() -> str:
        connection = Connection(port)
        try:
            page = await connection.get("/login")
            cookie = page.headers["set-cookie"].split(";", 1)[0]
            token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body).group(1)
            form = urlencode({"email": email, "password": password, "csrf_token": token})
            done = await connection.post_form("/login", form, {"Cookie": cookie})
            if done.status not in (302, 303):
                raise SystemExit(f"sign-in failed: HTTP {done.status}")
            return done.headers["set-cookie"].split(";", 1)[0]
        finally:
            await connection.close()

    cookies = []
    for start in range(0, learners, 16):  # a few at a time: sign-in is not what is measured
        cookies += await asyncio.gather(*(one() for _ in range(min(16, learners - start))))
    return cookies


async def stack_sign_in(port: int, learners: int) -> list[str]:
    """Session cookies of `learners` learners of the stack app (`_stack.py`)."""

    async def one() -> str:
        connection = Connection(port)
        try:
            return (await connection.get("/start")).headers["set-cookie"].split(";", 1)[0]
        finally:
            await connection.close()

    return list(await asyncio.gather(*(one() for _ in range(learners))))


async def load(port: int, cookies: list[str], seconds: float) -> tuple[list[float], int]:
    """Each learner loads the dashboard again and again for the warm-up and `seconds` more;
    latencies of the pages that ended within those `seconds`, and the pages served in all."""
    measuring_from = time.perf_counter() + WARM_UP
    until = measuring_from + seconds
    latencies: list[float] = []
    served = 0

    async def learner(cookie: str) -> None:
        nonlocal served
        connection = Connection(port)
        headers = {"Accept-Encoding": BROWSER_ENCODINGS}
        if cookie:
            headers["Cookie"] = cookie
        try:
            while time.perf_counter() < until:
                began = time.perf_counter()
                answer = await connection.get("/dashboard", headers)
                ended = time.perf_counter()
                if answer.status != 200:
                    raise SystemExit(f"dashboard answered HTTP {answer.status}")
                served += 1
                if measuring_from <= ended <= until:
                    latencies.append(ended - began)
        finally:
            await connection.close()

    await asyncio.gather(*(learner(cookie) for cookie in cookies))
    return latencies, served


@dataclass
class Row:
    setup: str
    learners: int
    pages_per_second: float
    p50_ms: float
    p95_ms: float
    cpu_ms: float  # CPU time of the workers per page served
    rounds: list[float] = field(default_factory=list)  # pages/s of each round


@dataclass
class Sample:
    """One round of load on one server."""

    latencies: list[float]  # of the pages that ended within the measured seconds
    served: int  # pages served, the warm-up's included
    cpu_seconds: float  # the workers' CPU time meanwhile
    seconds: float  # measured


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sample(server: Server, cookies: list[str], learners: int, seconds: float) -> Sample:
    mine = (cookies * learners)[:learners]
    cpu_before = server.cpu_seconds()
    latencies, served = asyncio.run(load(server.port, mine, seconds))
    return Sample(latencies, served, server.cpu_seconds() - cpu_before, seconds)


def row_of(name: str, learners: int, samples: list[Sample]) -> Row:
    """The rounds of one setup as one row: their pages pooled over their measured time."""
    latencies = [value for one in samples for value in one.latencies] or [float("nan")]
    pages = sum(len(one.latencies) for one in samples)
    served = sum(one.served for one in samples)
    row = Row(
        name,
        learners,
        pages / sum(one.seconds for one in samples),
        statistics.median(latencies) * 1000,
        percentile(latencies, 0.95) * 1000,
        sum(one.cpu_seconds for one in samples) * 1000 / max(served, 1),
        [len(one.latencies) / one.seconds for one in samples],
    )
    print(f"  {name}, {learners} learners: {row.pages_per_second:.0f} pages/s", flush=True)
    return row


def in_turns(servers: dict, cookies, learners, seconds) -> list[Row]:
    """Each server ({name: (server, cookies)}) loaded in turns, ROUNDS[learners] rounds each,
    every other round in the reverse order (portal, minimal, first view, first view, minimal,
    portal): a change in what else runs on the machine (a drift over the run) weighs on all
    alike."""
    rounds: dict[str, list[Sample]] = {name: [] for name in servers}
    for turn in range(ROUNDS.get(learners, 1)):
        order = list(servers) if turn % 2 == 0 else list(reversed(servers))
        for name in order:
            server, mine = servers[name]
            rounds[name].append(sample(server, mine, learners, seconds))
    return [row_of(name, learners, samples) for name, samples in rounds.items()]


# -- what else is measured ----------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def import_time(env: dict) -> tuple[float, float, bool]:
    """Seconds to import the WSGI module (app created), RSS after it, whether PDF code loaded."""
    code = (
        "import sys, time\n"
        "began = time.perf_counter()\n"
        "import portal.wsgi\n"
        "took = time.perf_counter() - began\n"
        "rss = [l for l in open('/proc/self/status') if l.startswith('VmRSS:')][0].split()[1]\n"
        "print(took, int(rss) / 1024, 'weasyprint' in sys.modules)\n"
    )
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if out.returncode:
            raise SystemExit(out.stderr)
        took, rss, pdf = out.stdout.split()
        runs.append((float(took), float(rss), pdf == "True"))
    return min(runs)


async def page_weight(port: int, cookie: str) -> dict:
    """Bytes on the wire for a first dashboard load (page, stylesheets, scripts) and a repeat
    load (what the browser asks again: the page, and files it may not keep)."""
    connection = Connection(port)
    try:
        identity = await connection.get(
            "/dashboard", {"Cookie": cookie, "Accept-Encoding": "identity"}
        )
        html = identity.body.decode()
        assets = sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html)))
        weights = {"first": 0, "repeat": 0, "uncompressed": identity.wire_bytes}
        browser = {"Cookie": cookie, "Accept-Encoding": BROWSER_ENCODINGS}
        weights["first"] += (await connection.get("/dashboard", browser)).wire_bytes
        weights["repeat"] += (await connection.get("/dashboard", browser)).wire_bytes
        for asset in assets:
            plain = await connection.get(asset.replace("&amp;", "&"), {"Cookie": cookie})
            weights["uncompressed"] += plain.wire_bytes
            packed = await connection.get(asset.replace("&amp;", "&"), browser)
            weights["first"] += packed.wire_bytes
            cache = packed.headers.get("cache-control", "")
            if "immutable" in cache or re.search(r"max-age=[1-9]", cache):
                continue  # kept by the browser: not asked again
            validators = {}
            if packed.headers.get("etag"):
                validators["If-None-Match"] = packed.headers["etag"]
            if packed.headers.get("last-modified"):
                validators["If-Modified-Since"] = packed.headers["last-modified"]
            weights["repeat"] += (await connection.get(asset, {**browser, **validators})).wire_bytes
        weights["assets"] = len(assets)
        return weights
    finally:
        await connection.close()


def portal_ms(lines: list[str], path: str = "/dashboard") -> list[float]:
    """The portal's own milliseconds (upstream excluded) per page, from its JSON request log."""
    found = []
    for line in lines:
        if line.startswith("{") and f'"path":"{path}"' in line:
            try:
                found.append(json.loads(line)["portal_ms"])
            except (ValueError, KeyError):
                continue
    return found


# -- the run ------------------------------------------------------------------------------------


FIRST_VIEW = ", first view"
STACK = "stack only"
# What a first view keeps: nothing drawn before (pages, sent pages, cards, fragments, values).
NOTHING_KEPT = {"PAGE_CACHE_SIZE": "0", "FRAGMENT_CACHE_SIZE": "0"}


def setups(compare: bool) -> list[tuple[str, str, int]]:
    """(name, worker class, threads): the defaults, and with --compare other choices."""
    chosen = [(f"{WORKER_CLASS} x {THREADS} (default)", WORKER_CLASS, THREADS)]
    if compare:
        chosen += [("gthread x 4", "gthread", 4), ("gthread x 32", "gthread", 32)]
        try:
            import gevent  # noqa: F401

            chosen.append(("gevent x 64", "gevent", 64))
        except ImportError:
            print("(gevent is not installed: its rows are left out)")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=6, help="measured seconds per level")
    parser.add_argument("--compare", action="store_true", help="also other worker models")
    args = parser.parse_args()
    began = time.perf_counter()
    load_before = os.getloadavg()
    # Sized as `portal serve` sizes itself: with Redis (a local redis-server when the machine
    # has one) the workers share sessions, limits and cache, one per core; without, one worker.
    rows: list[Row] = []
    extra: dict = {}
    redis_process, redis_url = start_redis()
    workers = default_workers(shared_state=bool(redis_url))
    extra["redis"] = bool(redis_url)
    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp) / "answers.json"
        recording = record_answers(answers)
        minimal_request = Path(tmp) / "minimal-request.json"
        minimal_request.write_text(json.dumps(recording["requests"]["DashboardPage"]))
        replay, upstream_port = start_replay(answers, args.latency_ms)
        upstream = f"http://127.0.0.1:{upstream_port}"
        kept = {k: v for k, v in os.environ.items() if not k.startswith(("TI_", "PORTAL_"))}
        (Path(tmp) / "metrics").mkdir()
        env = {
            **server_environment(kept),
            "TI_BASE_URL": upstream,
            "TI_API_KEY": API_KEY,
            "SECRET_KEY": "bench-secret-key",
            "PORTAL_VAR_DIR": str(Path(tmp) / "var"),
            # Metrics counted as under `portal serve`: every worker into files of one folder.
            "PROMETHEUS_MULTIPROC_DIR": str(Path(tmp) / "metrics"),
            "REDIS_URL": redis_url,
            # 64 learners sign in from one address: the login limit is not what is measured,
            # nor each learner's share of pages, nor an API budget the stand-in does not have.
            "RATELIMIT_LOGIN": "100000 per minute",
            "RATELIMIT_PAGES": "1000000 per minute",
            "TI_POINTS_PER_MINUTE": "0",
            "BENCH_UPSTREAM": upstream,
            "BENCH_API_KEY": API_KEY,
            "BENCH_REQUEST": str(minimal_request),
        }
        try:
            for name, worker_class, threads in setups(args.compare):
                run_setup(name, worker_class, threads, workers, env, args, rows, extra)
        finally:
            replay.terminate()
            replay.wait()
            if redis_process is not None:
                redis_process.terminate()
                redis_process.wait()
        extra["import"] = import_time(env)
    extra["load"] = (load_before, os.getloadavg())
    report(rows, extra, args, workers, time.perf_counter() - began)


def run_setup(name, worker_class, threads, workers, env, args, rows, extra) -> None:
    """The portal and the minimal app with the same settings, measured in turns at each level
    (so that both see the same load from whatever else runs on the machine)."""
    portal_command = gunicorn_command("127.0.0.1:0", workers, threads, worker_class)
    # The yardsticks (`_minimal.py`, `_stack.py`) run under the portal's gunicorn settings.
    yardstick = partial(
        gunicorn_command, "127.0.0.1:0", workers, threads, worker_class, ("--pythonpath", str(HERE))
    )
    minimal_command = yardstick(app="_minimal:app")
    portal = start_gunicorn(portal_command, env)
    minimal = first = stack = None
    try:
        minimal = start_gunicorn(minimal_command, env)
        wait_until_serving(portal.port, workers)
        wait_until_serving(minimal.port, workers)
        cookies = asyncio.run(sign_in(portal.port, max(LEVELS)))
        # Each worker compiles its templates on first use: not what a page costs after that.
        asyncio.run(load(portal.port, cookies, 1.0))
        servers = {f"portal {name}": (portal, cookies), f"minimal {name}": (minimal, [""])}
        if "default" in name:
            # The replayed answers never change, so the portal's pages are kept after their
            # first draw: the same portal keeping nothing shows what a first view costs.
            first = start_gunicorn(portal_command, {**env, **NOTHING_KEPT})
            wait_until_serving(first.port, workers)
            asyncio.run(load(first.port, cookies, 1.0))
            servers[f"portal {name}{FIRST_VIEW}"] = (first, cookies)
            # The stack the portal is built on, with the minimal app's page: the floor.
            stack = start_gunicorn(yardstick(app="_stack:app"), env)
            wait_until_serving(stack.port, workers)
            stack_cookies = asyncio.run(stack_sign_in(stack.port, max(LEVELS)))
            asyncio.run(load(stack.port, stack_cookies, 1.0))
            servers[f"{STACK} {name}"] = (stack, stack_cookies)
        for learners in LEVELS:
            rows += in_turns(servers, cookies, learners, args.seconds)
        if "default" in name:
            extra["served"] = served_dashboards(portal)
            deadline = time.perf_counter() + TOP_UP_SECONDS
            while extra["served"] < MEMORY_AFTER and time.perf_counter() < deadline:
                asyncio.run(load(portal.port, cookies, 1.0))
                extra["served"] = served_dashboards(portal)
            extra["rss"] = [rss_mb(pid) for pid in portal.worker_pids()]
            extra["weight"] = asyncio.run(page_weight(portal.port, cookies[0]))
            extra["portal_ms"] = portal_ms(portal.lines)
            extra["first_ms"] = portal_ms(first.lines)
    finally:
        for server in (portal, minimal, first, stack):
            if server is not None:
                server.stop()


def served_dashboards(server: Server) -> int:
    return sum(1 for line in list(server.lines) if '"path":"/dashboard"' in line)


def minimal_of(setup: str) -> str:
    return setup.removesuffix(FIRST_VIEW).replace("portal ", "minimal ", 1)


def goals(by: dict) -> None:
    """The goals, judged at 64 learners on the pooled rounds (CPU per page at both levels)."""
    setup = next((name for name, _ in by if name.endswith(FIRST_VIEW)), None)
    if setup is None:
        return
    warm = setup.removesuffix(FIRST_VIEW)
    most = max(LEVELS)
    cpu = max(by[setup, n].cpu_ms / by[minimal_of(setup), n].cpu_ms for n in LEVELS)
    first = by[setup, most].pages_per_second / by[minimal_of(setup), most].pages_per_second
    kept = by[warm, most].pages_per_second / by[minimal_of(setup), most].pages_per_second
    print(
        f"Goals: first-view CPU/page {cpu:.1f}x the minimal app's at most "
        f"({'met' if cpu <= 2 else 'NOT met'}: <= 2x); first-view pages/s at {most} learners "
        f"{first:.2f}x ({'met' if first >= 0.8 else 'NOT met'}: >= 0.8x); warm {kept:.2f}x "
        f"({'met' if kept >= 0.9 else 'NOT met'}: >= 0.9x)"
    )
    stack = f"{STACK} {warm.removeprefix('portal ')}"
    if (stack, most) in by:
        floor = max(by[stack, n].cpu_ms / by[minimal_of(setup), n].cpu_ms for n in LEVELS)
        served = by[stack, most].pages_per_second / by[minimal_of(setup), most].pages_per_second
        print(
            "Floor: the stack alone (the minimal page with Redis sessions, sign-in, CSRF, limits,"
            f" Babel, compression, metrics, request log) {floor:.1f}x the minimal app's CPU/page,"
            f" pages/s at {most} learners {served:.2f}x; the portal's own work costs "
            f"{by[setup, most].cpu_ms - by[stack, most].cpu_ms:.1f} ms CPU a first view"
        )


def report(rows: list[Row], extra: dict, args, workers: int, took: float) -> None:
    print()
    print(
        f"Instance latency {args.latency_ms:.0f} ms, {workers} workers"
        f"{' sharing a local Redis' if extra.get('redis') else ''}, "
        f"{os.cpu_count()} CPUs, {args.seconds:.0f} s per level"
    )
    print(
        f"{'setup':<46}{'learners':>9}{'pages/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'CPU ms/page':>13}"
    )
    for row in rows:
        print(
            f"{row.setup:<46}{row.learners:>9}{row.pages_per_second:>9.0f}"
            f"{row.p50_ms:>9.0f}{row.p95_ms:>9.0f}{row.cpu_ms:>13.1f}"
        )
    print("CPU ms/page: CPU time the server's workers used per page served (all of it: HTTP,")
    print("the app, compression, logs); it barely depends on what else runs on the machine.")
    print()
    by = {(row.setup, row.learners): row for row in rows}
    for setup in sorted({row.setup for row in rows if row.setup.startswith("portal ")}):
        for learners in LEVELS:
            portal = by[(setup, learners)]
            minimal = by[(minimal_of(setup), learners)]
            turns = ""
            if len(portal.rounds) > 1 and len(portal.rounds) == len(minimal.rounds):
                each = (a / b for a, b in zip(portal.rounds, minimal.rounds, strict=True))
                turns = f" (rounds: {', '.join(f'{ratio:.2f}x' for ratio in each)})"
            print(
                f"portal/minimal {setup[7:]}, {learners} learners: pages/s "
                f"{portal.pages_per_second / minimal.pages_per_second:.2f}x{turns}, "
                f"CPU/page {portal.cpu_ms / minimal.cpu_ms:.1f}x, "
                f"p95 {portal.p95_ms / args.latency_ms:.1f}x the instance latency"
            )
    goals(by)
    print()
    rss = extra.get("rss") or []
    print(
        f"RSS per worker after {extra.get('served', 0)} dashboard requests: "
        + ", ".join(f"{value:.0f} MB" for value in rss)
    )
    took_import, rss_import, pdf_loaded = extra["import"]
    print(
        f"Start-up: import of portal.wsgi {took_import:.2f} s, RSS {rss_import:.0f} MB, "
        f"WeasyPrint {'loaded' if pdf_loaded else 'not loaded'}"
    )
    weight = extra["weight"]
    print(
        f"Dashboard bytes on the wire: first load {weight['first'] / 1024:.1f} KB "
        f"(page + {weight['assets']} static files; {weight['uncompressed'] / 1024:.1f} KB "
        f"uncompressed), repeat load {weight['repeat'] / 1024:.1f} KB"
    )
    for key, what in (("portal_ms", "warm"), ("first_ms", "first view")):
        ms = extra.get(key) or []
        if ms:
            print(
                f"Portal ms per dashboard under load, {what} (its request log, upstream "
                f"excluded): median {statistics.median(ms):.1f}, p95 {percentile(ms, 0.95):.1f}"
            )
    loads = extra.get("load") or ()
    print(
        f"(bench ran {took:.0f} s; load average "
        + ", then ".join(" ".join(f"{value:.2f}" for value in one) for one in loads)
        + ")"
    )


if __name__ == "__main__":
    main()
