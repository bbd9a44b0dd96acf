"""`portal serve` with several workers: Redis is required, and then the login limit holds across
them (a real gunicorn with two workers and a real redis-server)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from portal.cli import main
from portal.security import serve_options
from tests.conftest import API_KEY
from tests.processes import stop_process
from tests.test_redis import _free_port, redis_url, store  # noqa: F401 - fixtures

PORTAL = Path(sys.executable).parent / "portal"
LEARNER = "198.51.100.9"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_several_workers_without_redis_are_refused_with_the_fix():
    result = CliRunner().invoke(main, ["serve", "--workers", "2"], env={"REDIS_URL": ""})
    assert result.exit_code == 2
    assert "REDIS_URL" in result.output and "--workers 1" in result.output


def test_serve_passes_the_trusted_proxies_to_gunicorn():
    options = serve_options(2, {"REDIS_URL": "redis://x", "TRUSTED_PROXIES": "10.0.0.1 10.0.0.2"})
    assert options == ["--forwarded-allow-ips", "10.0.0.1,10.0.0.2"]
    assert serve_options(1, {}) == ["--forwarded-allow-ips", "127.0.0.1"]
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        serve_options(1, {"TRUSTED_PROXIES": "proxy.example.com"})


@pytest.fixture
def served(make_sandbox, redis_url, store, tmp_path):  # noqa: F811 - fixtures
    """`portal serve` with two workers on a free port, against a slow sandbox."""
    sandbox = make_sandbox(latency_ms=300)
    port = _free_port()
    log = tmp_path / "access.log"
    errors = tmp_path / "errors.log"
    error_file = errors.open("wb")
    env = {
        **os.environ,
        "TI_BASE_URL": sandbox.url,
        "TI_API_KEY": API_KEY,
        "SECRET_KEY": "serve-test-secret",
        "REDIS_URL": redis_url,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    process = subprocess.Popen(
        [
            str(PORTAL),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            # One connection at a time per worker, so that concurrent attempts reach both.
            "--threads",
            "1",
            "--worker-connections",
            "1",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(p)s %(h)s %(m)s %(U)s %(s)s",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=error_file,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(f"{url}/static/css/portal.css", timeout=10).close()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"portal serve did not start: {errors.read_text()}")
                time.sleep(0.2)
        yield url, log
    finally:
        stop_process(process)
        error_file.close()


def failed_login(url: str, number: int) -> tuple[int, dict]:
    with requests.Session() as browser:
        page = browser.get(f"{url}/login", timeout=30)
        # The session cookie is Secure (production settings) and this is plain http.
        cookie = page.cookies.get("portal_session")
        response = browser.post(
            f"{url}/login",
            data={
                "email": f"nobody{number}@example.com",
                "password": "wrong-password",
                "csrf_token": _TOKEN.search(page.text).group(1),
            },
            # Through the (trusted, local) proxy: one learner address for every attempt.
            headers={"Cookie": f"portal_session={cookie}", "X-Forwarded-For": LEARNER},
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code, dict(response.headers)


def test_login_limit_counts_across_two_workers(served, store):  # noqa: F811
    url, log = served
    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = [status for status, _ in pool.map(lambda n: failed_login(url, n), range(10))]
    assert statuses == [422] * 10

    status, headers = failed_login(url, 10)

    assert status == 429 and int(headers["Retry-After"]) >= 1
    workers = {
        line.split()[0] for line in log.read_text().splitlines() if " POST /login 422" in line
    }
    assert len(workers) == 2, f"the failed attempts did not reach both workers: {workers}"
