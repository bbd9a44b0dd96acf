"""The shipped nginx configuration (deploy/nginx.conf) with a self-signed certificate in front of
two `portal serve` processes sharing a real redis-server, the sandbox as the instance: over HTTPS
a learner stays signed in whichever process answers, a process killed or restarted under load
loses no page and applies no POST twice, and a Redis restart signs nobody out."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from portal.sandbox.demo import DEMO_LOGINS
from tests.conftest import API_KEY, copy_demo_data, csrf_from, start_sandbox
from tests.processes import stop_process, wait_for_redis
from tests.test_redis import REDIS_SERVER, _free_port

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PORTAL = Path(sys.executable).parent / "portal"
LEARNERS = 32
# Between a learner's pages: 32 learners then ask for ~50 pages a second, what two processes
# and the sandbox (in this test's process) serve on two shared cores without queueing long.
THINK_SECONDS = 0.5
# The learners loading pages; "branded" (Lena) signs out everywhere without touching them.
LOADING = ("busy", "new", "multilingual")
SHOWN_NAME = {"busy": "Avery", "new": "Noah", "multilingual": "Camille", "branded": "Lena"}
# Addresses of learners on this host's loopback network (any 127.x address is local).
LEARNER_A, LEARNER_B = "127.0.0.2", "127.0.0.3"


class FromAddress(HTTPAdapter):
    """Connections that leave from a given local address: another learner's machine."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(pool_maxsize=4)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Portal:
    """One `portal serve` (gunicorn and its worker), started and stopped by the test."""

    port: int
    env: dict
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [str(PORTAL), "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
        command += ["--threads", "32", "--graceful-timeout", "10"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"portal serve on {self.port} did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def terminate(self) -> None:
        """SIGTERM: gunicorn finishes the requests in flight, then exits."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL to gunicorn and its worker at once: a crash."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                self.kill()

    def pages_served(self) -> float:
        """Dashboards this process answered so far (its own /metrics, read from loopback)."""
        text = requests.get(f"{self.url}/metrics", timeout=5).text
        found = re.search(
            r'^portal_http_requests_total\{endpoint="dashboard.index",status="2xx"\} (\S+)$',
            text,
            re.MULTILINE,
        )
        return float(found.group(1)) if found else 0.0


@dataclass
class RedisServer:
    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # Persistence on: every write in the append-only file before it is acknowledged.
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        options += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        self.process = subprocess.Popen(
            [REDIS_SERVER, *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_redis(self.process, self.url)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


@dataclass
class Site:
    url: str
    portals: list[Portal]
    redis: RedisServer
    sandbox: object
    certificate: Path
    access_log: Path
    learners: list = field(default_factory=list)  # (who, requests.Session) signed in

    def browser(self, source: str = "127.0.0.1") -> requests.Session:
        session = requests.Session()
        # The test's certificate, whatever REQUESTS_CA_BUNDLE names; no proxy from the env.
        session.trust_env = False
        session.verify = str(self.certificate)
        # As a browser does: over HTTPS, Flask-WTF wants the form's own site as the Referer.
        session.headers["Referer"] = f"{self.url}/"
        adapter = FromAddress(source)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session


def nginx_config(folder: Path, port: int, upstreams: list[int], certificate, key) -> Path:
    """The shipped site configuration with this test's addresses and certificate, inside a
    main configuration that keeps nginx's files in the test's folder."""
    site = SHIPPED.read_text()
    swaps = [
        ("    server 127.0.0.1:8001 ", f"    server 127.0.0.1:{upstreams[0]} "),
        ("    server 127.0.0.1:8002 ", f"    server 127.0.0.1:{upstreams[1]} "),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{port} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("    listen 80;\n", f"    listen 127.0.0.1:{_free_port()};\n"),
        ("    listen [::]:80;\n", ""),
        ("/etc/ssl/certs/portal.example.com.pem", str(certificate)),
        ("/etc/ssl/private/portal.example.com.key", str(key)),
    ]
    site = site.replace("/var/log/nginx/portal.access.log", str(folder / "portal-access.log"))
    for old, new in swaps:
        assert site.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    (folder / "portal.conf").write_text(site)
    main = folder / "nginx.conf"
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}worker_processes 1;\n"
        f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"  access_log {folder}/access.log;\n"
        f"  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/fastcgi;\n"
        f"  uwsgi_temp_path {folder}/uwsgi;\n"
        f"  scgi_temp_path {folder}/scgi;\n"
        f"  include {folder}/portal.conf;\n"
        "}\n"
    )
    return main


def self_signed(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "portal.pem", folder / "portal.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def sign_in(browser: requests.Session, url: str, who: str, password: str | None = None):
    email, demo_password = DEMO_LOGINS[who]
    page = browser.get(f"{url}/login", timeout=30)
    return browser.post(
        f"{url}/login",
        data={
            "email": email,
            "password": password or demo_password,
            "csrf_token": csrf_from(page.text),
        },
        allow_redirects=False,
        timeout=30,
    )


@pytest.fixture(scope="module")
def site(demo_data, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: `make install` (as root) installs Debian's nginx")
    if not shutil.which(REDIS_SERVER):
        pytest.fail(f"{REDIS_SERVER} is missing: `make install` installs redis-server")
    folder = tmp_path_factory.mktemp("nginx-site")
    sandbox = start_sandbox(copy_demo_data(demo_data, folder / "sandbox"))
    store = RedisServer(_free_port(), folder)
    store.start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "TI_"))},
        "TI_BASE_URL": sandbox.url,
        "TI_API_KEY": API_KEY,
        "SECRET_KEY": "nginx-test-secret",
        "REDIS_URL": store.url,
        "RATELIMIT_LOGIN": "3 per minute",
        # 32 sessions of three learners load pages without pause: far beyond one learner's
        # share of pages, which is not what this test is about.
        "RATELIMIT_PAGES": "100000 per minute",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    portals = []
    for number in range(2):
        var = folder / f"var-{number}"
        # The metrics folder in the test's own: a process killed by the test leaves its files.
        metrics = folder / f"metrics-{number}"
        portal_env = {**env, "PORTAL_VAR_DIR": str(var), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        portals.append(Portal(_free_port(), portal_env, folder / f"portal-{number}.log"))
    nginx, nginx_errors = None, (folder / "nginx.stderr").open("wb")
    try:
        for portal in portals:
            portal.start()
        certificate, key = self_signed(folder)
        port = _free_port()
        config = nginx_config(folder, port, [p.port for p in portals], certificate, key)
        for portal in portals:
            portal.wait_ready()
        checked = subprocess.run(
            [NGINX, "-t", "-q", "-c", str(config), "-e", "stderr"], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen(
            [NGINX, "-c", str(config), "-e", "stderr", "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=nginx_errors,
        )
        result = Site(
            f"https://127.0.0.1:{port}",
            portals,
            store,
            sandbox,
            certificate,
            folder / "portal-access.log",
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                result.browser().get(f"{result.url}/healthz", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, (folder / "error.log").read_text()
                time.sleep(0.1)
        result.learners = sign_in_learners(result)
        yield result
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for portal in portals:
            portal.stop()
        store.stop()
        sandbox.server.stop()
        nginx_errors.close()


def sign_in_learners(site: Site) -> list:
    signed: list = [None] * LEARNERS

    def one(number: int) -> None:
        who = LOADING[number % len(LOADING)]
        browser = site.browser()
        assert sign_in(browser, site.url, who).status_code == 303
        signed[number] = (who, browser)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(LEARNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(signed), "a learner could not sign in through the proxy"
    return signed


@dataclass
class Load:
    """What the learners saw while loading pages: GET statuses, and each POST's folder name
    and status."""

    gets: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    posts: list = field(default_factory=list)


def under_load(site: Site, action, posts: bool = False, after: float = 1.0) -> Load:
    """The signed-in learners load dashboards (and, with posts, create bookmark folders) in a
    loop; `action()` runs `after` seconds in, and the load goes on a second after it."""
    load, stop, lock = Load(), threading.Event(), threading.Lock()

    def learner(number: int, who: str, browser: requests.Session) -> None:
        token, rounds = None, 0
        while not stop.is_set():
            rounds += 1
            try:
                if posts and token and rounds % 2 == 0:
                    name = f"load {number}-{rounds}"
                    answer = browser.post(
                        f"{site.url}/bookmarks/folders",
                        data={"name": name, "csrf_token": token},
                        allow_redirects=False,
                        timeout=30,
                    )
                    with lock:
                        load.posts.append((name, answer.status_code))
                    continue
                page = browser.get(f"{site.url}/dashboard", allow_redirects=False, timeout=30)
                shown = page.status_code == 200 and SHOWN_NAME[who] in page.text
                with lock:
                    load.gets[page.status_code] += 1
                    if not shown:
                        load.failures.append((who, page.status_code, page.headers.get("Location")))
                if shown and posts:
                    token = csrf_from(page.text)
            except requests.RequestException as error:
                with lock:
                    load.failures.append((who, type(error).__name__, str(error)[:120]))
            stop.wait(THINK_SECONDS)

    threads = [
        threading.Thread(target=learner, args=(number, who, browser))
        for number, (who, browser) in enumerate(site.learners)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(after)
        action()
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return load


def wait_until_serving_through_proxy(site: Site, portal: Portal, timeout: float = 15) -> None:
    """Until nginx sends this process learners' pages again (its fail_timeout has passed)."""
    start, deadline = portal.pages_served(), time.monotonic() + timeout
    _, browser = site.learners[0]
    while portal.pages_served() <= start:
        assert time.monotonic() < deadline, f"nginx sent nothing to {portal.port} again"
        browser.get(f"{site.url}/dashboard", timeout=30)
        time.sleep(0.05)


# -- The cases ---------------------------------------------------------------------------------


def test_a_learner_stays_signed_in_whichever_process_answers_and_ends_everywhere(site):
    first, second = site.browser(), site.browser()
    answer = sign_in(first, site.url, "branded")
    assert answer.status_code == 303
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie, cookie
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert sign_in(second, site.url, "branded").status_code == 303

    for _ in range(4):  # round robin: both processes answer through the proxy
        page = first.get(f"{site.url}/dashboard", allow_redirects=False, timeout=30)
        assert page.status_code == 200 and "Lena" in page.text
        assert "Strict-Transport-Security" in page.headers
    sessions = [browser.cookies["portal_session"] for browser in (first, second)]
    for portal in site.portals:  # and each one alone knows both sessions
        for value in sessions:
            page = requests.get(
                f"{portal.url}/dashboard", cookies={"portal_session": value}, timeout=30
            )
            assert page.status_code == 200 and "Lena" in page.text, portal.port

    token = csrf_from(first.get(f"{site.url}/account", timeout=30).text)
    ended = first.post(
        f"{site.url}/account/sessions/end-all", data={"csrf_token": token}, allow_redirects=False
    )

    assert ended.status_code == 303
    for portal in site.portals:
        for value in sessions:
            page = requests.get(
                f"{portal.url}/dashboard",
                cookies={"portal_session": value},
                allow_redirects=False,
                timeout=30,
            )
            assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_login_limits_count_the_learners_address_not_the_proxys(site):
    guesser, neighbour = site.browser(LEARNER_A), site.browser(LEARNER_B)

    statuses = [
        sign_in(guesser, site.url, "busy", password=f"wrong-{n}").status_code for n in range(4)
    ]
    other = sign_in(neighbour, site.url, "new", password="wrong-password")

    assert statuses == [422, 422, 422, 429]
    assert other.status_code == 422, "the limit counted the proxy's address for everyone"


def test_metrics_are_not_served_to_learners(site):
    assert site.browser().get(f"{site.url}/metrics", timeout=10).status_code == 404
    learner_direct = site.browser(LEARNER_A).get(f"{site.portals[0].url}/metrics", timeout=10)
    assert learner_direct.status_code == 404
    local = requests.get(f"{site.portals[0].url}/metrics", timeout=10)
    assert local.status_code == 200 and "portal_http_requests_total" in local.text


def test_the_access_log_keeps_no_feed_secret_and_no_query_string(site):
    secret = secrets.token_urlsafe(24)
    browser = site.browser()
    browser.get(f"{site.url}/calendar/feed/{secret}.ics", timeout=10)
    browser.get(f"{site.url}/login?next=/dashboard&code=ASKED-{secret}", timeout=10)

    lines = site.access_log.read_text().splitlines()
    feed = [line for line in lines if "/calendar/feed/" in line]
    assert feed and all('"GET /calendar/feed/[redacted].ics HTTP' in line for line in feed)
    assert any('"GET /login HTTP' in line for line in lines)
    assert secret not in site.access_log.read_text()


def test_a_killed_process_loses_no_page_and_applies_no_post_twice(site):
    victim = site.portals[0]

    load = under_load(site, victim.kill, posts=True, after=2.0)

    assert not load.failures, load.failures[:5]
    assert set(load.gets) == {200} and sum(load.gets.values()) > LEARNERS
    sent = Counter(name for name, _ in load.posts)
    assert load.posts and max(sent.values()) == 1
    statuses = Counter(status for _, status in load.posts)
    assert set(statuses) <= {303, 502}, statuses  # 502: cut by the crash, not sent again
    created = Counter(
        row[0]
        for row in site.sandbox.store.query(
            "SELECT name FROM bookmark_folders WHERE name LIKE 'load %'"
        )
    )
    assert not [name for name, count in created.items() if count > 1], "a POST applied twice"
    applied = {name for name, status in load.posts if status == 303}
    assert applied <= set(created), "a POST answered 303 was not applied"
    victim.start()
    victim.wait_ready()
    wait_until_serving_through_proxy(site, victim)


def test_a_rolling_restart_fails_no_request(site):
    def roll() -> None:
        for portal in site.portals:
            portal.terminate()
            portal.start()
            portal.wait_ready()
            wait_until_serving_through_proxy(site, portal)

    load = under_load(site, roll)

    assert not load.failures, load.failures[:5]
    assert set(load.gets) == {200} and sum(load.gets.values()) > LEARNERS


def test_a_redis_restart_heals_by_itself_and_signs_nobody_out(site):
    seen: dict = {}

    def restart() -> None:
        site.redis.stop()
        ready = site.browser().get(f"{site.url}/readyz", timeout=10)
        seen["down"] = (ready.status_code, ready.json())
        site.redis.start()
        began = time.monotonic()
        while True:
            pages = [
                browser.get(f"{site.url}/dashboard", allow_redirects=False, timeout=30)
                for _, browser in site.learners[:4]
            ]
            if all(page.status_code == 200 for page in pages):
                break
            assert time.monotonic() - began < 15, [page.status_code for page in pages]
            time.sleep(0.2)
        seen["healed_in"] = time.monotonic() - began

    under_load(site, restart)

    assert seen["down"][0] == 503 and seen["down"][1]["redis"] == "unavailable"
    assert seen["healed_in"] < 15
    for who, browser in site.learners:  # everyone still signed in
        page = browser.get(f"{site.url}/dashboard", allow_redirects=False, timeout=30)
        assert page.status_code == 200 and SHOWN_NAME[who] in page.text, who
    ready = site.browser().get(f"{site.url}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["redis"] == "ok"
