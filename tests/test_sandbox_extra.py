"""The sandbox is an optional extra: the portal runs without it, and says how to get it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portal.cli import SANDBOX_PACKAGES
from portal.sandbox.demo import DEMO_LOGINS

ROOT = Path(__file__).resolve().parents[1]
# Run first in each child: the sandbox's packages cannot be imported, as after `pip install .`.
WITHOUT_EXTRA = textwrap.dedent(
    f"""
    import sys
    for name in {SANDBOX_PACKAGES!r}:
        sys.modules[name] = None
    """
)


def run_without_extra(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TI_", "PORTAL_"))},
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA + textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sandbox_packages_are_what_only_the_sandbox_declares():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extra = text.split("sandbox = [", 1)[1].split("]", 1)[0]
    for distribution in ("ariadne", "argon2-cffi", "faker"):
        assert f'"{distribution}>=' in extra
        assert f'"{distribution}>=' not in text.split("[project.optional-dependencies]")[0]
    assert {"ariadne", "argon2", "faker"} == set(SANDBOX_PACKAGES)


def test_the_portal_serves_an_instance_without_the_sandbox_extra(sandbox, tmp_path):
    email, password = DEMO_LOGINS["busy"]
    code = f"""
    import json, re
    from portal.wsgi import app

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    signed_in = client.post(
        "/login", data={{"email": {email!r}, "password": {password!r}, "csrf_token": token}}
    )
    dashboard = client.get("/dashboard")
    loaded = sorted(
        name for name in sys.modules
        if sys.modules[name] is not None
        and (name.split(".")[0] in {SANDBOX_PACKAGES!r} or name.startswith("portal.sandbox"))
    )
    print(json.dumps({{
        "signed_in": signed_in.status_code,
        "dashboard": dashboard.status_code,
        "greeting": "Welcome back" in dashboard.get_data(as_text=True),
        "loaded": loaded,
    }}))
    """
    done = run_without_extra(
        code, tmp_path, TI_BASE_URL=sandbox.url, TI_API_KEY=sandbox.api_key, SECRET_KEY="x" * 32
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"signed_in": 303, "dashboard": 200, "greeting": True, "loaded": []}


@pytest.mark.parametrize("command", ["sandbox", "demo"])
def test_sandbox_commands_say_how_to_install_the_extra(tmp_path, command):
    done = run_without_extra(
        f"""
        from portal.cli import main
        main([{command!r}], prog_name="portal")
        """,
        tmp_path,
    )
    assert done.returncode == 1
    assert "pip install 'portal[sandbox]'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "is missing" in done.stderr


def test_the_command_list_shows_the_sandbox_without_the_extra(tmp_path):
    done = run_without_extra(
        """
        from portal.cli import main
        main(["--help"], prog_name="portal")
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "sandbox" in done.stdout and "needs portal[sandbox]" in done.stdout
