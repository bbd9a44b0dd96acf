"""What the browser flows share: signing a demo learner in through the login form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.sandbox.demo import DEMO_LOGINS


@pytest.fixture
def sign_in(live_server):
    """`sign_in(page, who="busy", password=None, next_url=None)`: fill and send the login form.

    With the demo learner's own password it also waits until they are signed in (the form is
    gone); with another `password` the page is left as the failed login shows it.
    """

    def sign_in(page, who: str = "busy", password: str | None = None, next_url=None) -> None:
        email, demo_password = DEMO_LOGINS[who]
        query = f"?next={next_url}" if next_url else ""
        page.goto(f"{live_server.url}/login{query}")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(demo_password if password is None else password)
        page.get_by_role("button", name="Sign in").click()
        if password is None:
            expect(page.get_by_label("Email")).to_have_count(0)
        # The load event of the page the form led to (waited for before it is there, it is the
        # login page's): its deferred scripts, htmx among them, have run.
        page.wait_for_load_state()

    return sign_in
