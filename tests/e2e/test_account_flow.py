"""Account and catalog flows in real Chromium: switch license, redeem a code, spend credits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.sandbox.demo import DEMO_CODES

pytestmark = pytest.mark.e2e
PAID = "Machine Learning Basics"


def settled(page, indicator: str) -> None:
    """Wait until the loading indicator has faded out: axe would judge it mid-transition."""
    page.wait_for_function(
        "id => getComputedStyle(document.getElementById(id)).opacity === '0'", arg=indicator
    )


def test_switching_the_active_license(page, sign_in, live_server, axe):
    sign_in(page)
    page.goto(f"{live_server.url}/account")
    active = page.locator("#license-list .license--active")
    expect(active).to_contain_text("Sales Enablement licence")
    axe(page)
    page.get_by_role("radio", name=re.compile("Engineering Academy licence")).check()
    page.get_by_role("button", name="Make this license active").click()
    expect(page.locator("#license-list .alert--success")).to_contain_text(
        "Your active license is now Engineering Academy licence."
    )
    expect(active).to_contain_text("Engineering Academy licence")
    settled(page, "license-loading")
    axe(page)
    page.reload()
    expect(active).to_contain_text("Engineering Academy licence")


def test_checking_and_redeeming_a_code(page, sign_in, live_server, axe):
    sign_in(page)
    page.goto(f"{live_server.url}/account/codes")
    axe(page)
    code_input = page.get_by_label("Code", exact=True)
    code_input.fill(DEMO_CODES["redemption"]["expired"])
    page.get_by_role("button", name="Check code").click()
    expect(page.locator("#code-result .field__error")).to_have_text("This code has expired.")
    assert code_input.input_value() == DEMO_CODES["redemption"]["expired"]
    settled(page, "code-loading")
    axe(page)
    code = DEMO_CODES["redemption"]["valid"]
    code_input.fill(code)
    page.get_by_role("button", name="Check code").click()
    expect(page.locator("#code-result")).to_contain_text("This code is valid.")
    page.get_by_role("button", name=f"Redeem {code}").click()
    expect(page.get_by_text(f"The code {code} was redeemed.")).to_be_visible()
    assert "/account/codes" not in page.url
    axe(page)


def test_spending_credits_without_javascript(page_nojs, sign_in, live_server, axe):
    page = page_nojs
    sign_in(page)
    page.goto(f"{live_server.url}/catalog")
    axe(page)
    page.get_by_label("Search the catalog").fill("Machine")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/catalog?query=Machine")
    page.get_by_role("link", name=re.compile(f"^Get with credits.*{PAID}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PAID)
    axe(page)
    page.get_by_role("button", name="Spend credits and get the course").click()
    expect(page.get_by_text(f"{PAID} is now yours.")).to_be_visible()
    axe(page)
    page.goto(f"{live_server.url}/account")
    expect(page.locator(".account-balance")).not_to_contain_text("120 credits")
    axe(page)
