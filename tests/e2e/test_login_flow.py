"""Signing in and out in real Chromium, with and without JavaScript."""

from __future__ import annotations

import pytest

from portal.sandbox.demo import DEMO_LOGINS

pytestmark = pytest.mark.e2e
EMAIL = DEMO_LOGINS["busy"][0]


def test_wrong_password_shows_the_message_and_keeps_the_email(page, sign_in, live_server, axe):
    sign_in(page, password="not-my-password")
    assert page.get_by_role("alert").inner_text() == "Email or password is incorrect."
    assert page.get_by_label("Email").input_value() == EMAIL
    assert page.get_by_label("Password").input_value() == ""
    axe(page)


def test_right_password_reaches_the_landing_page_with_the_learners_name(
    page, sign_in, live_server, axe
):
    page.goto(f"{live_server.url}/login")
    axe(page)
    sign_in(page)
    assert "/login" not in page.url
    assert page.get_by_text("Avery").first.is_visible()
    axe(page)
    page.locator(".user-menu summary").click()
    assert page.get_by_role("button", name="Sign out").is_visible()
    axe(page)


def test_logout_returns_to_login_and_back_shows_no_learner_data(page, sign_in, live_server, axe):
    sign_in(page)
    landing = page.url
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")
    assert page.get_by_text("You have signed out.").is_visible()
    axe(page)
    page.go_back()
    page.wait_for_load_state()
    assert "Avery" not in page.content()
    page.goto(landing)
    assert "/login" in page.url
    assert "Avery" not in page.content()


def test_login_and_logout_work_without_javascript(page_nojs, sign_in, live_server, axe):
    sign_in(page_nojs)
    assert "/login" not in page_nojs.url
    assert "Avery" in page_nojs.locator(".user-menu__name").inner_text()
    axe(page_nojs)
    page_nojs.locator(".user-menu summary").click()
    page_nojs.get_by_role("button", name="Sign out").click()
    page_nojs.wait_for_url("**/login?signed_out=1")


def test_markup_in_company_and_learner_names_renders_as_text(
    page, sign_in, live_server, sandbox, axe
):
    payload = '<img src=x onerror="alert(document.domain)"><script>alert(1)</script>'
    sandbox.store.execute("UPDATE company SET name = ?", "Northwind " + payload)
    sandbox.store.execute("UPDATE users SET first_name = ? WHERE email = ?", payload, EMAIL)
    sign_in(page)
    page.locator(".user-menu summary").click()
    assert payload in page.locator(".user-menu__name").inner_text()
    assert payload in page.locator(".brand").inner_text()
    assert page.locator("main img[src=x], header img[src=x]").count() == 0
    axe(page)


def test_layout_fits_a_360_pixel_screen(sign_in, browser, live_server, axe):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    try:
        small = context.new_page()
        sign_in(small)
        small.locator(".user-menu summary").click()
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways: {width}px wide"
        assert small.get_by_role("button", name="Sign out").is_visible()
        axe(small)
    finally:
        context.close()
