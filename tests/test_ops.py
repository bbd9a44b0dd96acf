"""Operations: health checks, request ids, JSON request logs without secrets, compression and
long-cached static files."""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import select
import socket

import brotli
import pytest
from flask import url_for

from portal import create_app
from portal.config import ROOT
from portal.request_log import JsonFormatter
from portal.sandbox.demo import DEMO_LOGINS

try:
    from compression import zstd  # Python 3.14 on
except ImportError:
    from backports import zstd  # what Flask-Compress installs before 3.14

BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends

HTMX = "vendor/htmx-2.0.11.min.js"


@pytest.fixture
def silent_upstream():
    """A loopback socket that accepts connections and never answers: `.url`, `.contacted()`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]

    class Silent:
        url = f"http://127.0.0.1:{port}"

        @staticmethod
        def contacted() -> bool:
            return bool(select.select([listener], [], [], 0)[0])

    yield Silent
    listener.close()


@pytest.fixture
def closed_port_url():
    """The URL of a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def log_lines():
    """Every line logged while the test runs, by any logger at any level, as formatted text;
    request lines in the JSON the portal writes."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    plain, as_json = Collect(logging.DEBUG), Collect(logging.DEBUG)
    plain.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    as_json.setFormatter(JsonFormatter())
    root, requests_log = logging.getLogger(), logging.getLogger("portal.requests")
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(plain)
    requests_log.addHandler(as_json)
    yield lines
    requests_log.removeHandler(as_json)
    root.removeHandler(plain)
    root.setLevel(level)


def request_lines(lines: list[str]) -> list[dict]:
    found = []
    for line in lines:
        if line.startswith("{") and '"logger":"portal.requests"' in line:
            found.append(json.loads(line))
    return found


# -- /healthz and /readyz ------------------------------------------------------------------


def test_healthz_answers_without_calling_the_instance(portal_config, silent_upstream, log_lines):
    app = create_app(portal_config(silent_upstream.url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert not silent_upstream.contacted()
    assert request_lines(log_lines)[-1]["upstream_requests"] == 0


def test_readyz_is_ok_when_the_instance_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "instance": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_fails_when_the_instance_is_down(portal_config, closed_port_url):
    app = create_app(portal_config(closed_port_url))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "instance": "unavailable"}


@pytest.mark.timeout(60)
def test_readyz_gives_up_after_its_own_short_timeout(portal_config, silent_upstream):
    # Pages would wait up to TI_READ_TIMEOUT (here far beyond the test's timeout) for this
    # instance; the readiness check waits READY_TIMEOUT only.
    config = portal_config(silent_upstream.url, TI_READ_TIMEOUT=3600, READY_TIMEOUT=0.5)
    response = create_app(config).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["instance"] == "unavailable"


def test_readyz_fails_when_redis_is_down(sandbox, portal_config, closed_port_url):
    redis_url = closed_port_url.replace("http://", "redis://") + "/0"
    app = create_app(portal_config(sandbox.url, REDIS_URL=redis_url, READY_TIMEOUT=0.5))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "instance": "ok",
        "redis": "unavailable",
    }


# -- request ids and logs ------------------------------------------------------------------


def test_each_request_logs_one_json_line(busy, log_lines):
    response = busy.get("/dashboard?tab=archivedContentItems")
    assert response.status_code == 200
    lines = request_lines(log_lines)
    assert len(lines) == 1
    line = lines[0]
    assert line["method"] == "GET"
    assert line["path"] == "/dashboard"  # no query string
    assert line["status"] == 200
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["upstream_requests"] >= 1
    assert line["upstream_ms"] > 0
    assert line["portal_ms"] >= 0
    assert line["ms"] >= line["upstream_ms"]


def test_a_log_level_set_before_the_app_is_kept(portal_config, silent_upstream, capsys):
    """A host (or a benchmark) that quiets the request log before creating the app is obeyed:
    the app still adds its JSON handler, and the handler writes once the level allows."""
    requests_log = logging.getLogger("portal.requests")
    saved = requests_log.level, list(requests_log.handlers), requests_log.propagate
    requests_log.handlers.clear()  # as in a fresh worker
    requests_log.setLevel(logging.WARNING)
    try:
        client = create_app(portal_config(silent_upstream.url)).test_client()
        assert client.get("/healthz").status_code == 200
        assert '"logger":"portal.requests"' not in capsys.readouterr().err
        requests_log.setLevel(logging.INFO)
        assert client.get("/healthz").status_code == 200
        assert '"logger":"portal.requests"' in capsys.readouterr().err
    finally:
        requests_log.setLevel(saved[0])
        requests_log.handlers[:] = saved[1]
        requests_log.propagate = saved[2]


def test_url_parts_named_like_secrets_are_redacted_in_the_log(app, log_lines):
    app.add_url_rule("/reset/<token>/<int:step>", "reset", lambda token, step: "done")
    assert app.test_client().get("/reset/s3cret-link-value/2?code=abc").status_code == 200
    line = request_lines(log_lines)[-1]
    assert line["path"] == "/reset/[redacted]/2"
    assert "s3cret-link-value" not in "".join(log_lines) and "abc" not in line["path"]


def test_a_mistyped_feed_or_verification_address_is_redacted_in_the_log(client, log_lines):
    secret = "Zx81_kQ0vLm-93TtYb7WqPe2rNs4HdFgJcUa5oIyB6E"
    for path in (f"/calendar/feed/{secret}.ic", f"/calendar/feeds/{secret}.ics",
                 f"/verify/{secret[:32]}/extra/part"):  # fmt: skip
        assert client.get(path).status_code == 404
    paths = [line["path"] for line in request_lines(log_lines)]
    assert paths == [
        "/calendar/feed/[redacted].ic",
        "/calendar/feeds/[redacted].ics",
        "/verify/[redacted]/extra/part",
    ]
    assert secret[:16] not in "".join(log_lines)


def test_request_id_is_returned_and_quoted_on_error_pages(busy):
    response = busy.get("/no-such-page")
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert request_id in response.get_data(as_text=True)
    fragment = busy.get("/no-such-page", headers={"HX-Request": "true"})
    assert fragment.headers["X-Request-ID"] in fragment.get_data(as_text=True)


def test_a_request_id_from_the_proxy_is_kept_unless_it_could_carry_anything_else(client):
    given = "edge-0123456789abcdef"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    for bad in ("x", 'a"><script>alert(1)</script>', "a" * 65, "id with spaces 1234"):
        answered = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), bad


def test_french_error_page_quotes_the_reference(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert "indiquez cette référence" in response.get_data(as_text=True)


def test_no_password_token_or_cookie_value_in_any_log_line(client, csrf_token, sandbox, log_lines):
    email, password = DEMO_LOGINS["busy"]
    form_token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": form_token}
    )
    assert response.status_code in (302, 303)
    # A wrong password is logged about too: it must not appear either.
    client.get("/dashboard")
    with client.session_transaction() as session:
        token = session["ti_token"]
    cookie = client.get_cookie("portal_session").value
    other = client.__class__(client.application)
    wrong = "Wrong-Password-9731"
    other.post(
        "/login",
        data={"email": email, "password": wrong, "csrf_token": csrf_token(other, "/login")},
    )
    secrets = {
        "password": password,
        "wrong password": wrong,
        "token": token,
        "session cookie": cookie,
        "csrf token": form_token,
        "API key": sandbox.api_key,
    }
    assert request_lines(log_lines), "no request was logged"
    for line in log_lines:
        for name, secret in secrets.items():
            assert secret not in line, f"the {name} is in a log line: {line}"


def test_no_sign_on_token_or_secret_in_any_log_line_or_page(
    busy, single_sign_on, sandbox, log_lines
):
    import requests

    secret = single_sign_on()
    werkzeug = logging.getLogger("werkzeug")  # the sandbox's access log too
    level = werkzeug.level
    werkzeug.setLevel(logging.INFO)
    try:
        pages = [busy.get(path).get_data(as_text=True) for path in ("/dashboard", "/account")]
        handed = busy.get("/sso/login?returnTo=/dashboard")
        location = handed.headers["Location"]
        token = location.split("jwt=", 1)[1]
        taken = requests.get(location, timeout=10)
        replayed = requests.get(location, timeout=10)  # refused: its page and a warning
    finally:
        werkzeug.setLevel(level)
    assert taken.ok and replayed.status_code == 400
    pages += [handed.get_data(as_text=True), taken.text, replayed.text]
    assert any("/access/jwt?jwt=[redacted]" in line for line in log_lines)
    assert any('"path":"/sso/login"' in line for line in log_lines)
    for line in log_lines:
        assert token not in line and secret not in line, line
    for page in pages:
        assert token not in page and secret not in page


# -- compression ---------------------------------------------------------------------------


def _same_page(html: str) -> str:
    """The page with what changes on every request (nonce, signed CSRF token) blanked out."""
    html = re.sub(r"nonce-?=?\"?[A-Za-z0-9_-]{16,}", "NONCE", html)
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1CSRF", html)
    return re.sub(r'("X-CSRFToken": ")[^"]+', r"\1CSRF", html)


@pytest.mark.parametrize(
    ("accepted", "decompress"),
    [("gzip", gzip.decompress), (BROWSER_ENCODINGS, zstd.decompress)],
    ids=["gzip", "zstd"],
)
def test_compressed_pages_decompress_to_the_same_page(busy, accepted, decompress):
    plain = busy.get("/dashboard", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    packed = busy.get("/dashboard", headers={"Accept-Encoding": accepted})
    assert packed.headers["Content-Encoding"] == accepted.split(", ")[-1]
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) < len(plain.get_data()) / 3
    unpacked = decompress(packed.get_data()).decode()
    assert _same_page(unpacked) == _same_page(plain.get_data(as_text=True))


def test_css_and_javascript_are_compressed_with_brotli(client):
    for filename in (HTMX, "css/portal.css"):
        response = client.get(f"/static/{filename}", headers={"Accept-Encoding": "br"})
        assert response.headers["Content-Encoding"] == "br", filename
        assert brotli.decompress(response.get_data()) == (ROOT / "static" / filename).read_bytes()
        response.close()


# -- static files --------------------------------------------------------------------------


def test_static_urls_change_when_the_file_changes_while_templates_reload(app, tmp_path):
    app.static_folder = str(tmp_path)
    app.jinja_env.auto_reload = True  # development: files are edited while the portal runs
    sheet = tmp_path / "site.css"
    sheet.write_text("body { color: black; }")
    with app.test_request_context("/"):
        first = url_for("static", filename="site.css")
        assert first == url_for("static", filename="site.css")
        sheet.write_text("body { color: navy; }")
        stat = sheet.stat()
        os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        second = url_for("static", filename="site.css")
    assert first.startswith("/static/site.css?v=") and second.startswith("/static/site.css?v=")
    assert first != second


def test_a_released_portal_reads_each_static_file_once(app, tmp_path):
    """Served from a release, static files do not change: no look at the disk for each URL of
    each page (a system call, and a turn of the interpreter lock given away under load)."""
    app.static_folder = str(tmp_path)
    assert not app.jinja_env.auto_reload
    sheet = tmp_path / "released.css"
    sheet.write_text("body { color: black; }")
    with app.test_request_context("/"):
        first = url_for("static", filename="released.css")
        assert first.startswith("/static/released.css?v=")
        assert url_for("static", filename="missing.css") == "/static/missing.css"
        sheet.write_text("body { color: navy; }")
        stat = sheet.stat()
        os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        (tmp_path / "missing.css").write_text("body { color: red; }")
        # Neither file was looked at again.
        assert url_for("static", filename="released.css") == first
        assert url_for("static", filename="missing.css") == "/static/missing.css"


def test_versioned_static_files_are_cached_for_a_year(busy):
    html = busy.get("/dashboard").get_data(as_text=True)
    found = re.search(r'src="(/static/vendor/htmx-[^"]+\?v=[0-9a-f]+)"', html)
    assert found, "the page links htmx without a version"
    response = busy.get(found.group(1))
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    response.close()
    # Without the version, or with an old one, the browser must check back.
    for url in (f"/static/{HTMX}", f"/static/{HTMX}?v=000000000000"):
        response = busy.get(url)
        assert "no-cache" in response.headers["Cache-Control"], url
        assert "immutable" not in response.headers["Cache-Control"], url
        response.close()


def test_a_worker_starts_without_what_only_some_requests_need(tmp_path):
    # PDF rendering, iCalendar files and User-Agent parsing load on first use: memory kept
    # by every worker for pages that never need them.
    import subprocess
    import sys

    code = (
        "import sys, portal.wsgi\n"
        "print(sorted(m for m in ('weasyprint', 'icalendar', 'ua_parser') if m in sys.modules))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TI_", "PORTAL_"))},
        "TI_BASE_URL": "http://127.0.0.1:9",
        "TI_API_KEY": "key",
        "SECRET_KEY": "start-up-test",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
