"""An installed portal (a wheel, not a checkout) carries its templates, static files and
compiled catalogs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_templates_static_files_and_compiled_catalogs(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (wheel,) = tmp_path.glob("portal-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "portal/templates/base.html",
        "portal/templates/errors/500.html",
        "portal/static/css/portal.css",
        "portal/translations/fr/LC_MESSAGES/messages.mo",
        "portal/translations/de/LC_MESSAGES/messages.mo",
        "portal/sandbox/templates/site/_layout.html",
    ):
        assert name in names, name
    assert not any(name.startswith(("templates/", "static/")) for name in names)
