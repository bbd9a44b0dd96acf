"""Takes docs/screenshot.png: the demo learner's dashboard, from a running `portal demo`.

Usage: .venv/bin/python docs/screenshot.py [http://127.0.0.1:5000]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from portal.sandbox.demo import DEMO_LOGINS

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def main(base_url: str = "http://127.0.0.1:5000") -> None:
    email, password = DEMO_LOGINS["busy"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="en-US")
        page.goto(f"{base_url}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(Path(__file__).with_name("screenshot.png")))
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
