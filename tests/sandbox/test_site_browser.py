"""The instance's pages in real Chromium: axe finds nothing, nothing scrolls sideways at 360 px,
and a learner signs in and completes a course with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import fits_360

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_sign_in_complete_a_course_and_open_its_certificate(request, gql_sandbox, axe, javascript):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    email, password = gql_sandbox.passwords["avery"]
    page.goto(f"{gql_sandbox.url}/learn/beginner-course")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Test Academy")
    axe(page)
    fits_360(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beginner Course")
    axe(page)
    fits_360(page)
    buttons = page.get_by_role("button", name=re.compile(r"^Mark as done"))
    expect(buttons).to_have_count(3)
    for remaining in (2, 1, 0):
        buttons.first.click()
        expect(buttons).to_have_count(remaining)
    expect(page.get_by_role("status")).to_contain_text("You completed Beginner Course.")
    axe(page)
    page.get_by_role("link", name="Your certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course Completion Certificate")
    expect(page.locator("main")).to_contain_text("Avery Johnson")
    axe(page)
    fits_360(page)
    for path in ("/dashboard", "/catalog", "/learn/data-science-path", "/learn/full-workshop",
                 "/terms", "/learn/no-such-course"):  # fmt: skip
        page.goto(gql_sandbox.url + path)
        axe(page)
        fits_360(page)
