"""Shared fixtures: a real sandbox on a loopback port with demo data, the portal, Chromium."""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

API_KEY = "test-api-key"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DB_FILES = ("sandbox.sqlite3", "sandbox.sqlite3-wal", "sandbox.sqlite3-shm")
# The image build and podman kube play take minutes: `make deploy-test` runs them.
collect_ignore = [] if os.environ.get("PORTAL_DEPLOY_TESTS") else ["deploy"]
# One line per request of every test server drowns the output of a failing test.
logging.getLogger("werkzeug").setLevel(logging.WARNING)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ANNOUNCED = re.compile(
    r'<div hx-swap-oob="beforeend:#live-(status|alert)"><p>(.*?)</p></div>', re.S
)


@dataclass
class Sandbox:
    """A sandbox server running on a free port, with its own copy of the demo data."""

    url: str
    api_key: str
    store: object
    app: object
    server: object


@pytest.fixture(scope="session", autouse=True)
def compiled_templates(tmp_path_factory):
    """Every Flask app of the session (portal and sandbox, one per test) keeps the templates
    it compiles in one bytecode cache, so a template is compiled once per session instead of
    once per app. An entry is used only while the template's source is unchanged."""
    from flask import Flask
    from jinja2 import FileSystemBytecodeCache

    cache = FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja-bytecode")))
    options = Flask.jinja_options
    Flask.jinja_options = {**options, "bytecode_cache": cache}
    yield cache
    Flask.jinja_options = options


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """The demo database, built once per test session; tests get copies of it."""
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.demo import build_demo

    directory = tmp_path_factory.mktemp("demo-data")
    app = create_sandbox_app(directory, api_key=API_KEY)
    build_demo(app)
    # Fold the WAL into the main file so that copying the files copies all the data.
    with sqlite3.connect(directory / DB_FILES[0]) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return directory


def start_sandbox(data_dir: Path, **options) -> Sandbox:
    """Start a sandbox server on data_dir (options: latency_ms, fail_rate, points_per_minute)."""
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.server import start

    app = create_sandbox_app(data_dir, api_key=API_KEY, **options)
    server = start(app)
    return Sandbox(server.url, API_KEY, app.extensions["sandbox"].store, app, server)


def copy_demo_data(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in DB_FILES:
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)
    return target


@pytest.fixture
def make_sandbox(demo_data, tmp_path):
    """Callable: make_sandbox(latency_ms=0, fail_rate=0.0, ...) starts one more sandbox with
    its own copy of the demo data; all are stopped after the test."""
    started: list[Sandbox] = []

    def make(**options) -> Sandbox:
        directory = copy_demo_data(demo_data, tmp_path / f"sandbox-{len(started)}")
        running = start_sandbox(directory, **options)
        started.append(running)
        return running

    yield make
    for running in started:
        running.server.stop()


@pytest.fixture(scope="module")
def module_sandbox(demo_data, tmp_path_factory):
    """One sandbox with its own copy of the demo data for a whole module: for modules whose
    tests read the demo, or change only what no other test of theirs reads."""
    directory = copy_demo_data(demo_data, tmp_path_factory.mktemp("module-sandbox"))
    running = start_sandbox(directory)
    yield running
    running.server.stop()
    running.store.close()


@pytest.fixture
def sandbox(make_sandbox):
    """A running sandbox with fresh demo data: `.url`, `.api_key`, `.store`, `.app`."""
    return make_sandbox()


@functools.cache
def session_credential_key() -> str:
    """One Ed25519 key (PEM) signs the test process's credentials: none is written to var/."""
    from portal.config import new_credential_key

    return new_credential_key()


def portal_settings(sandbox_url: str, directory: Path, **overrides) -> dict:
    """Config for create_app in tests: against sandbox_url, local state under directory."""
    config = {
        "TESTING": True,
        "TI_BASE_URL": sandbox_url,
        "TI_API_KEY": API_KEY,
        "SECRET_KEY": "test-secret-key",
        "SESSION_TYPE": "filesystem",
        "SESSION_FILE_DIR": str(directory / "sessions"),
        "CALENDAR_FEED_DIR": str(directory / "calendar-feeds"),
        "SHARED_LINKS_DIR": str(directory / "shared-links"),
        "CREDENTIAL_SIGNING_KEY": session_credential_key(),
        "RATELIMIT_STORAGE_URI": "memory://",
        "WTF_CSRF_ENABLED": True,
        "REDIS_URL": None,
    }
    config.update(overrides)
    return config


@pytest.fixture
def portal_config(tmp_path):
    """Callable: portal_config(sandbox_url, **overrides) -> config for create_app in tests."""

    def build(sandbox_url: str, **overrides) -> dict:
        return portal_settings(sandbox_url, tmp_path, **overrides)

    return build


@pytest.fixture
def app(sandbox, portal_config):
    """The portal configured against the test's sandbox, CSRF on as in production."""
    from portal import create_app

    app = create_app(portal_config(sandbox.url))
    yield app
    from portal.api.cache import cache

    with app.app_context():
        cache.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def single_sign_on(app, sandbox):
    """Callable: single_sign_on(portal_url="http://localhost") turns JWT single sign-on on
    between the test's portal and sandbox as `portal demo` does (the sandbox's login and logout
    URLs lead to portal_url); returns the shared secret."""
    from portal.cli import single_sign_on as demo_single_sign_on

    def enable(portal_url: str = "http://localhost") -> str:
        settings = demo_single_sign_on(sandbox.app.extensions["sandbox"], portal_url)
        app.config.update(settings)
        # What was drawn before links the instance directly: drawn again, as after a restart.
        for kept in ("fragments", "kept_values", "kept_pages", "sent_pages"):
            app.extensions[kept].clear()
        return settings["TI_SSO_SECRET"]

    return enable


def announced(html: str) -> list[tuple[str, str]]:
    """What an htmx answer says through the page's live region, in order: ("status" or
    "alert", the words)."""
    return [(region, unescape(words)) for region, words in _ANNOUNCED.findall(html)]


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf_token input in the page"
    return found.group(1)


@pytest.fixture
def csrf_token():
    """Callable: csrf_token(client, path="/login") -> the token of the form on that page."""

    def fetch(client, path: str = "/login") -> str:
        return csrf_from(client.get(path).get_data(as_text=True))

    return fetch


@pytest.fixture
def login(csrf_token):
    """Callable: login(client, who="busy") signs a demo learner in through the real form."""
    from portal.sandbox.demo import DEMO_LOGINS

    def sign_in(client, who: str = "busy", password: str | None = None, next_url=None):
        email, demo_password = DEMO_LOGINS[who]
        data = {
            "email": email,
            "password": password or demo_password,
            "csrf_token": csrf_token(client, "/login"),
        }
        if next_url is not None:
            data["next"] = next_url
        return client.post("/login", data=data)

    return sign_in


@pytest.fixture
def busy(client, login):
    """The test client, signed in as the busy demo learner (Avery Johnson)."""
    login(client, "busy")
    return client


@pytest.fixture
def api_cost(app):
    """Callable: api_cost(client, path, headers=None) -> (response, api stats), the upstream
    requests and points of that one portal request, read inside it."""
    from flask import request_finished

    from portal import api

    def measure(client, path: str, headers: dict | None = None) -> tuple:
        seen: dict = {}

        def record(sender, response, **extra):
            seen.update(api.stats())

        request_finished.connect(record, app)
        try:
            response = client.get(path, headers=headers or {})
        finally:
            request_finished.disconnect(record, app)
        return response, seen

    return measure


@dataclass
class LiveServer:
    url: str
    app: object
    server: object


@pytest.fixture
def live_server(app):
    """The portal app served over HTTP on a free port: `.url`."""
    from portal.sandbox.server import start

    running = start(app)
    yield LiveServer(running.url, app, running)
    running.stop()


# -- Chromium through Playwright ------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session; each test gets its own context."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (installs Debian's chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _guarded_page(context):
    """A page that fails the test if any dialog opens: an XSS payload that ran."""
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    page.set_default_timeout(10_000)
    return page


def _open_context(browser, **options):
    context = browser.new_context(locale="en-US", **options)
    page = _guarded_page(context)
    page.javascript_enabled = options.get("java_script_enabled", True)
    yield page
    dialogs = list(page.dialogs)
    context.close()
    assert not dialogs, f"a dialog opened (script ran from page content): {dialogs}"


@pytest.fixture
def page(browser):
    """A fresh browser context and page with JavaScript on."""
    yield from _open_context(browser)


@pytest.fixture
def page_nojs(browser):
    """A fresh browser context and page with JavaScript disabled."""
    yield from _open_context(browser, java_script_enabled=False)


@pytest.fixture(scope="session")
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="session")
def _axe_helper(browser):
    """The JavaScript-enabled page that checks copies of pages shown without JavaScript: one
    per session, opened at the first such check, so axe-core runs in a warm page."""
    opened: list = []

    def helper_page():
        if not opened:
            opened.append(browser.new_context(locale="en-US"))
            opened.append(opened[0].new_page())
        return opened[1]

    yield helper_page
    if opened:
        opened[0].close()


@pytest.fixture
def axe(_axe, _axe_helper):
    """Callable: axe(page) runs axe-core on the page and fails listing any violation.

    axe-core is JavaScript: for a page with JavaScript off, the same HTML is served to a
    JavaScript-enabled page at the same URL (same stylesheets) and checked there.
    """

    def served_copy(html: str, url: str):
        target = _axe_helper()
        if target.url.split("#")[0] == url.split("#")[0]:
            target.goto("about:blank")  # a new document, not a jump within the old one

        def fulfill(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        target.route(url, fulfill)
        try:
            target.goto(url)
        finally:
            target.unroute(url, fulfill)
        return target

    def check(page) -> None:
        target = page
        if not getattr(page, "javascript_enabled", True):
            target = served_copy(page.content(), page.url)
        results = _axe.run(target)
        if results.violations_count:
            pytest.fail(
                f"axe found accessibility violations on {page.url}:\n" + results.generate_report()
            )

    return check


def pytest_terminal_summary(terminalreporter):
    """Print what the sandbox's schema test reports as deliberately unlike TI's reference
    schema, in every run that includes it (the test records it; xdist carries it here)."""
    for report in terminalreporter.stats.get("passed", []):
        for name, value in getattr(report, "user_properties", ()):
            if name == "deliberate_schema_differences" and report.when == "call":
                terminalreporter.section("sandbox schema: deliberate differences from TI's")
                terminalreporter.write_line(value)
