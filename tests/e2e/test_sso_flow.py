"""One sign-in in real Chromium, JavaScript on and off: an instance page opened first asks for the
portal's sign-in, then shows signed in; a refused sign-on link and a sign-out asked by another
site each get a clear page (checked with axe)."""

from __future__ import annotations

import re
import time
import uuid

import jwt
import pytest
from playwright.sync_api import expect

from portal.sandbox.demo import DEMO_LOGINS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_an_instance_page_opened_first_asks_for_the_portals_sign_in_then_shows(
    request, live_server, sandbox, single_sign_on, javascript
):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    single_sign_on(live_server.url)
    slug = sandbox.store.scalar("SELECT slug FROM content WHERE title = 'Coaching Conversations'")
    wanted = f"{sandbox.url}/learn/{slug}"
    page.goto(wanted)
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/login\?next="))
    email, password = DEMO_LOGINS["busy"]
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(wanted)
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching Conversations")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_refused_link_and_a_sign_out_from_elsewhere_say_what_happened(
    page, sign_in, live_server, sandbox, single_sign_on, axe
):
    secret = single_sign_on(live_server.url)
    stale = jwt.encode(
        {"iat": int(time.time()) - 900, "jti": uuid.uuid4().hex, "email": DEMO_LOGINS["busy"][0]},
        secret,
        algorithm="HS256",
    )
    page.goto(f"{sandbox.url}/access/jwt?jwt={stale}")
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not sign you in")
    expect(page.locator("main")).to_contain_text("This sign-in link has expired")
    assert stale not in page.content()
    axe(page)

    sign_in(page)
    page.goto(f"{live_server.url}/sso/logout")  # typed, or linked by another site: no Referer
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out here too?")
    axe(page)
    page.get_by_role("link", name="Stay signed in").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/dashboard"))
