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

MAX_IMAGE_MB = 250


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
    subprocess.run(
        ["podman", "rm", "--force", "--volumes", "--time", "0", name], capture_output=True
    )


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


def test_the_portal_image_draws_a_pdf_on_a_read_only_root(portal_image):
    """WeasyPrint's libraries (Pango, a font) are in the image: a certificate PDF can be drawn."""
    script = (
        "import weasyprint;"
        "pdf = weasyprint.HTML(string='<h1>Certificate of completion</h1>').write_pdf();"
        "print(pdf[:5].decode(), len(pdf) > 1000)"
    )
    shown = podman("run", "--rm", "--read-only", portal_image, "python3", "-c", script).stdout
    assert shown.split() == ["%PDF-", "True"], shown


def test_the_portal_image_speaks_its_three_languages(portal_image):
    """The image keeps Babel's data of English, French and German alone: each still draws
    pages, dates, numbers and amounts."""
    script = (
        "import datetime, warnings, logging; logging.disable(logging.CRITICAL);"
        "from babel import dates, numbers; from portal import create_app;"
        "app = create_app({'TESTING': True, 'TI_BASE_URL': 'http://127.0.0.1:9',"
        " 'SECRET_KEY': 'x', 'REDIS_URL': None, 'SESSION_FILE_DIR': '/dev/shm/sessions'});"
        "client = app.test_client();"
        "moment = datetime.datetime(2026, 3, 1, 14, 30, tzinfo=datetime.UTC);"
        "[print(lang, client.get('/login', headers={'Accept-Language': lang}).status_code,"
        " dates.format_datetime(moment, 'full', tzinfo='Europe/Paris', locale=lang),"
        " numbers.format_currency(1234.5, 'EUR', locale=lang),"
        " numbers.format_percent(0.42, locale=lang), sep='|')"
        " for lang in ('en', 'fr', 'de')]"
    )
    shown = podman("run", "--rm", "--read-only", portal_image, "python3", "-c", script).stdout
    assert "en|200|Sunday, March 1, 2026" in shown, shown
    assert "fr|200|dimanche 1 mars 2026" in shown, shown
    assert "de|200|Sonntag, 1. März 2026" in shown, shown


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
