"""`portal demo` runs the production server with the sandbox; `portal serve` sizes gunicorn."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from portal.cli import THREADS, WORKER_CLASS, default_workers, gunicorn_command
from portal.sandbox.demo import DEMO_LOGINS

PORTAL = Path(sys.executable).with_name("portal")


def test_serve_runs_gunicorn_with_many_threads_per_worker():
    command = gunicorn_command("127.0.0.1:8000", workers=2)
    assert command[1:3] == ["-m", "gunicorn"]
    assert command[command.index("--worker-class") + 1] == WORKER_CLASS == "gthread"
    assert int(command[command.index("--threads") + 1]) == THREADS >= 16
    assert command[-1] == "portal.wsgi:app"


def test_serve_runs_one_worker_per_core_only_when_workers_share_redis():
    assert default_workers(shared_state=False) == 1
    assert default_workers(shared_state=True) == max(2, os.cpu_count() or 1)


class Output:
    """The lines a process prints, collected by a thread; wait_for(pattern) returns the match."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def text(self) -> str:
        with self._changed:
            return "".join(self.lines)

    def wait_for(self, pattern: str, seconds: float = 120) -> re.Match:
        deadline = time.monotonic() + seconds
        with self._changed:
            while True:
                found = re.search(pattern, "".join(self.lines))
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"no {pattern!r} in the output:\n{''.join(self.lines)}")
                self._changed.wait(left)

    def join(self) -> None:
        self._thread.join(timeout=10)


def _get(url: str, seconds: float = 60) -> requests.Response:
    """GET url, trying again while the server is still starting."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=10)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_demo_runs_gunicorn_prints_url_and_logins_and_ctrl_c_stops_it_all(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TI_", "PORTAL_"))}
    env["PORTAL_VAR_DIR"] = str(tmp_path)
    demo = subprocess.Popen(
        [str(PORTAL), "demo", "--port", "0", "--sandbox-port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    output = Output(demo.stdout)
    try:
        sandbox_url = output.wait_for(r"Sandbox \(TI API\) running at (http://\S+)").group(1)
        portal_url = output.wait_for(r"Portal running at (http://\S+/)").group(1)
        output.wait_for("Press Ctrl\\+C to stop.")
        for email, password in DEMO_LOGINS.values():
            assert f"{email} / {password}" in output.text()
        assert _get(portal_url + "login").status_code == 200
        ready = _get(portal_url + "readyz")
        assert ready.json() == {"status": "ok", "instance": "ok"}
        assert _get(sandbox_url + "/helium").status_code < 500  # the sandbox itself answers
        _one_sign_in(portal_url, sandbox_url)
        output.wait_for("Booting worker")
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl+C: the whole foreground group
        try:
            demo.wait(timeout=60)
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGKILL)
            output.join()
            demo.stdout.close()
    text = output.text()
    assert "gunicorn" in text
    assert "development server" not in text.lower()
    assert "apiKey=" not in text
    deadline = time.monotonic() + 10
    while _group_alive(demo.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(demo.pid), "a process of the demo outlived Ctrl+C"
    with pytest.raises(requests.ConnectionError):
        requests.get(portal_url + "healthz", timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get(sandbox_url + "/helium", timeout=5)


def _one_sign_in(portal_url: str, sandbox_url: str) -> None:
    """The demo turns single sign-on on: the sandbox's sign-in leads to the portal's, which
    lands the learner back on the sandbox's page, signed in there."""
    asked = requests.get(f"{sandbox_url}/sign-in", allow_redirects=False, timeout=10)
    assert asked.headers["Location"].startswith(f"{portal_url}sso/login?returnTo=http")
    email, password = DEMO_LOGINS["busy"]
    with requests.Session() as browser:
        form = browser.get(asked.headers["Location"], timeout=10).text
        fields = dict(re.findall(r'name="(csrf_token|next)"[^>]*value="([^"]+)"', form))
        fields.update(email=email, password=password)
        landed = browser.post(f"{portal_url}login", data=unescape_all(fields), timeout=10)
    assert landed.url == f"{sandbox_url}/dashboard" and "My learning" in landed.text


def unescape_all(fields: dict) -> dict:
    return {name: html.unescape(value) for name, value in fields.items()}


def test_workers_get_malloc_settings_for_many_threads_unless_the_environment_has_its_own():
    from portal.cli import server_environment

    env = server_environment({"PATH": "/usr/bin", "MALLOC_ARENA_MAX": "4"})
    assert env["PATH"] == "/usr/bin"
    assert env["MALLOC_ARENA_MAX"] == "4"  # the operator's choice wins
    assert env["MALLOC_MMAP_THRESHOLD_"] == "65536"
    assert env["MALLOC_TRIM_THRESHOLD_"] == "131072"
