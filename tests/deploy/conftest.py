"""The images `make deploy-test` builds once: a Debian bookworm base with python3 made here
(mmdebstrap, then `podman import`: no image registry is reached), the portal and demo images of
deploy/Containerfile on it, and a Redis image named as the manifests name it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests

from tests.conftest import csrf_from

ROOT = Path(__file__).resolve().parents[2]
BASE = "localhost/portal-base:bookworm"
PORTAL_IMAGE = "localhost/portal:0.1.0"
DEMO_IMAGE = "localhost/portal-demo:0.1.0"
REDIS_IMAGE = "docker.io/library/redis:7.0"
MIRROR = "http://deb.debian.org/debian"
# The host's CA bundle: a network that reaches PyPI through a TLS proxy of its own.
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
CONTAINERS_CONF = """[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
"""


def run(*command: str, timeout: float = 900, **options) -> subprocess.CompletedProcess:
    """A command that must succeed; its output is shown when it does not."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **options)
    if done.returncode:
        pytest.fail(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


def podman(
    *args: str, timeout: float = 900, input_text: str | None = None
) -> subprocess.CompletedProcess:
    return run("podman", "--runtime", "runc", *args, timeout=timeout, input=input_text)


@pytest.fixture(scope="session", autouse=True)
def containers_conf(tmp_path_factory):
    """podman's settings for this machine, in a file of the test's own (CONTAINERS_CONF)."""
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    before = os.environ.get("CONTAINERS_CONF")
    os.environ["CONTAINERS_CONF"] = str(conf)
    yield conf
    if before is None:
        os.environ.pop("CONTAINERS_CONF", None)
    else:
        os.environ["CONTAINERS_CONF"] = before


@pytest.fixture(scope="session")
def base_image(tmp_path_factory) -> str:
    """Debian bookworm with python3 only (as the official python image's slim variant), made
    with mmdebstrap from the Debian mirror: no recommends, docs, manuals or locales."""
    tarball = tmp_path_factory.mktemp("base") / "bookworm.tar"
    run(
        "mmdebstrap", "--variant=minbase", "--quiet",
        "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
        "--aptopt=APT::Install-Recommends \"false\"",
        "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
        "--dpkgopt=path-exclude=/usr/share/locale/*", "--dpkgopt=path-exclude=/usr/share/info/*",
        "--include=python3", "bookworm", str(tarball),
        f"deb {MIRROR} bookworm main", f"deb {MIRROR}-security bookworm-security main",
    )  # fmt: skip
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    podman("import", "--change", f"ENV PATH={path}", "--change", "CMD python3",
           str(tarball), BASE)  # fmt: skip
    return BASE


def build(target: str, tag: str, base: str) -> None:
    args = ["build", "--format", "docker", "--target", target, "--tag", tag]
    args += ["--build-arg", f"BASE_IMAGE={base}", "--file", str(ROOT / "deploy" / "Containerfile")]
    if HOST_CA.exists():
        args += ["--volume", f"{HOST_CA}:/run/build-ca.crt:ro"]
        args += ["--build-arg", "PIP_CERT=/run/build-ca.crt"]
    podman(*args, str(ROOT), timeout=1500)


@pytest.fixture(scope="session")
def portal_image(base_image) -> str:
    build("portal", PORTAL_IMAGE, base_image)
    return PORTAL_IMAGE


@pytest.fixture(scope="session")
def demo_image(base_image, portal_image) -> str:
    build("demo", DEMO_IMAGE, base_image)
    return DEMO_IMAGE


@pytest.fixture(scope="session")
def redis_image(base_image, tmp_path_factory) -> str:
    """Debian's redis-server on the same base, under the name the manifests give Redis."""
    folder = tmp_path_factory.mktemp("redis-image")
    (folder / "Containerfile").write_text(
        f"FROM {base_image}\n"
        "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y"
        " --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*"
        " && mkdir /data && chown 999:999 /data\n"
        'WORKDIR /data\nUSER 999:999\nCMD ["redis-server"]\n'
    )
    podman("build", "--format", "docker", "--tag", REDIS_IMAGE, str(folder))
    return REDIS_IMAGE


def sign_in_by_hand(form_url: str, post_url: str) -> dict:
    """Avery signs in over plain http (the form from form_url, sent to post_url): the session
    cookie, which is Secure, so sent by hand."""
    with requests.Session() as learner:
        learner.trust_env = False
        form = learner.get(f"{form_url}/login", timeout=30)
        signed = learner.post(
            f"{post_url}/login",
            data={
                "email": "avery@example.com",
                "password": "learn-avery-1",
                "csrf_token": csrf_from(form.text),
            },
            cookies={"portal_session": form.cookies["portal_session"]},
            allow_redirects=False,
            timeout=30,
        )
    assert signed.status_code == 303, signed.text[:500]
    return {"portal_session": signed.cookies["portal_session"]}
