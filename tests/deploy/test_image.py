"""deploy/Containerfile: the portal image holds the portal alone, runs as a user on a read-only
root, answers its HEALTHCHECK and finishes the requests in flight on SIGTERM; the demo image is
the whole demo in one `podman run`, and a learner signs in in Chromium through it."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid

import pytest
import requests

from tests.conftest import API_KEY
from tests.deploy.conftest import podman, sign_in_by_hand
from tests.test_redis import _free_port, redis_url, store  # noqa: F401 - fixtures

# The aim is 250 MB; the image is ~290 MB (README: the Debian base 120 MB, the virtualenv
# 160 MB of which Babel's locale data 35 MB, fontTools 30 MB, compiled modules 33 MB).
MAX_IMAGE_MB = 300


def inspect(image: str) -> dict:
    return json.loads(podman("image", "inspect", image).stdout)[0]


def wait_for(url: str, seconds: float = 120, container: str | None = None) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=3).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            logs = podman("logs", container).stderr if container else ""
            pytest.fail(f"{url} did not answer 200 in {seconds} s\n{logs}")
        time.sleep(0.5)


@pytest.fixture
def container_name():
    name = f"portal-test-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["podman", "rm", "--force", "--time", "0", name], capture_output=True)


def test_the_portal_image_holds_the_portal_alone_as_a_user(portal_image):
    found = inspect(portal_image)
    size_mb = found["Size"] / 1e6
    print(f"\n{portal_image}: {size_mb:.0f} MB")
    assert size_mb < MAX_IMAGE_MB
    config = found["Config"]
    assert config["User"] == "10001:0"
    assert "/healthz" in " ".join(found["Healthcheck"]["Test"])
    assert config["Cmd"][:3] == ["portal", "serve", "--bind"] and "0.0.0.0:8000" in config["Cmd"]
    script = (
        "import importlib.util as u, os, shutil, portal;"
        "print(os.getuid(), [m for m in ('ariadne', 'faker', 'argon2', 'pytest', 'playwright',"
        " 'pip') if u.find_spec(m)], [t for t in ('gcc', 'cc', 'make') if shutil.which(t)])"
    )
    shown = podman("run", "--rm", "--read-only", portal_image, "python3", "-c", script).stdout
    assert shown.split() == ["10001", "[]", "[]"], shown


def test_the_portal_serves_from_a_read_only_root_and_finishes_requests_on_sigterm(
    portal_image,
    make_sandbox,
    redis_url,  # noqa: F811 - fixture
    store,  # noqa: F811 - fixture
    container_name,
):
    sandbox = make_sandbox(latency_ms=1500)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    podman(
        "run", "--detach", "--name", container_name, "--network", "host", "--read-only",
        "--env", f"TI_BASE_URL={sandbox.url}", "--env", f"TI_API_KEY={API_KEY}",
        "--env", "SECRET_KEY=image-test-secret", "--env", f"REDIS_URL={redis_url}",
        portal_image, "portal", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2",
        "--graceful-timeout", "30",
    )  # fmt: skip
    wait_for(f"{url}/readyz", container=container_name)
    cookie = sign_in_by_hand(url, url)
    answers: list = []

    def slow_page() -> None:  # ~1.5 s upstream: still running when SIGTERM comes
        answers.append(requests.get(f"{url}/dashboard", cookies=cookie, timeout=60))

    page = threading.Thread(target=slow_page)
    page.start()
    time.sleep(0.5)
    podman("stop", "--time", "40", container_name)
    page.join()

    assert answers and answers[0].status_code == 200 and "Avery" in answers[0].text
    state = json.loads(podman("inspect", container_name).stdout)[0]["State"]
    assert state["ExitCode"] == 0, state
    logs = podman("logs", container_name)
    assert "Read-only file system" not in logs.stdout + logs.stderr


def test_the_demo_image_is_the_whole_demo_and_a_learner_signs_in(demo_image, page, container_name):
    port, sandbox_port = _free_port(), _free_port()
    podman(
        "run", "--detach", "--name", container_name, "--read-only",
        "--publish", f"127.0.0.1:{port}:8000", "--publish", f"127.0.0.1:{sandbox_port}:8765",
        demo_image,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/readyz", seconds=240, container=container_name)
    logs = podman("logs", container_name)
    assert "avery@example.com / learn-avery-1" in logs.stdout + logs.stderr
    podman("healthcheck", "run", container_name)  # the image's HEALTHCHECK, on its port 8000

    page.goto(f"{url}/login")
    page.get_by_label("Email").fill("avery@example.com")
    page.get_by_label("Password").fill("learn-avery-1")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{url}/dashboard*")
    assert "Avery" in page.content()
