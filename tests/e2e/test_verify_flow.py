"""Sharing a certificate in real Chromium, with and without JavaScript: the learner makes a
verification link, a visitor with no session opens it and sees it verified, the learner
withdraws it, the link answers 410 and the status list says revoked. axe on every page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import fits_360
from tests.credential_verifier import status_bit, verify

pytestmark = pytest.mark.e2e

BUSY_NAME = "Avery Johnson"
TITLE = "Foundations of Leadership"


def over_http(url: str) -> bytes:
    """did:web and the status list name https://; the test server speaks plain http."""
    response = requests.get(url.replace("https://", "http://", 1), timeout=10)
    assert response.status_code == 200, url
    return response.content


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_share_verify_and_withdraw(browser, javascript, sign_in, live_server, axe):
    learner = browser.new_context(locale="en-US", java_script_enabled=javascript)
    visitor = browser.new_context(locale="en-US", java_script_enabled=javascript)
    try:
        page = learner.new_page()
        page.javascript_enabled = javascript
        sign_in(page)
        page.goto(f"{live_server.url}/certificates")
        page.get_by_role("link", name=TITLE).click()
        share = page.locator("#certificate-share")
        expect(
            share.get_by_label("Let search engines list the verification page")
        ).not_to_be_checked()
        share.get_by_role("button", name="Make a verification link").click()
        expect(page.get_by_text("Your verification link is ready")).to_be_visible()
        url = page.get_by_label("Public verification link").input_value()
        assert re.fullmatch(rf"{re.escape(live_server.url)}/verify/[\w-]{{22,}}", url)
        linkedin = page.get_by_role("link", name=re.compile("Add to LinkedIn"))
        params = parse_qs(urlsplit(linkedin.get_attribute("href")).query)
        assert params["certUrl"] == [url] and params["certId"][0].startswith("NWA-")
        axe(page)
        fits_360(page)

        public = visitor.new_page()
        public.javascript_enabled = javascript
        response = public.goto(url)
        assert response.status == 200
        expect(public.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(public.locator(".verification-state")).to_contain_text("Verified")
        expect(public.locator(".verification-fields")).to_contain_text(BUSY_NAME)
        assert visitor.cookies() == []
        assert "set-cookie" not in response.headers
        axe(public)
        fits_360(public)
        token = over_http(url + "/credential.jwt").decode()
        credential = verify(token, over_http)
        issuer, entry = credential["issuer"]["id"], credential["credentialStatus"]
        assert issuer == "did:web:" + urlsplit(live_server.url).netloc.replace(":", "%3A")
        assert status_bit(entry, issuer, over_http) == 0

        page.goto(f"{live_server.url}/account")
        links = page.locator("#shared-links")
        expect(links).to_contain_text(TITLE)
        axe(page)
        fits_360(page)
        links.get_by_role("button", name=re.compile("^Withdraw")).click()
        expect(page.get_by_text("Withdraw this link?")).to_be_visible()
        axe(page)
        page.get_by_role("button", name="Yes, withdraw the link").click()
        expect(page.locator("#shared-links")).to_contain_text("Withdrawn")
        expect(page.get_by_text(re.compile("was withdrawn: it no longer verifies"))).to_be_visible()

        response = public.reload()
        assert response.status == 410
        expect(public.get_by_role("heading", level=1)).to_have_text(
            "This verification link was withdrawn"
        )
        axe(public)
        fits_360(public)
        assert visitor.cookies() == []
        assert status_bit(entry, issuer, over_http) == 1
        response = public.goto(f"{live_server.url}/verify/{'x' * 32}")
        assert response.status == 404
        expect(public.get_by_role("heading", level=1)).to_have_text(
            "No certificate is shared at this address"
        )
        axe(public)
    finally:
        learner.close()
        visitor.close()
