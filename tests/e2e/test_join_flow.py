"""The whole way in, in real Chromium with and without JavaScript: join with a code, choose a
password from the welcome mail in the sandbox's outbox, sign in, find the code's content; then
forget the password, reset it, and find the old password and the used link refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS

pytestmark = pytest.mark.e2e
CODE = DEMO_CODES["registration"]["valid"]


@pytest.fixture
def join_server(sandbox, portal_config):
    from portal import create_app
    from portal.api.cache import cache
    from portal.sandbox.server import start

    app = create_app(portal_config(sandbox.url, PORTAL_REGISTRATION=True))
    running = start(app)
    yield running.url
    running.stop()
    with app.app_context():
        cache.clear()


def follow_mail(page, sandbox, email: str, subject: str) -> None:
    page.goto(f"{sandbox.url}/outbox")
    mail = page.locator("article").filter(has_text=email).filter(has_text=subject).first
    mail.get_by_role("link", name="Follow the link of this mail").click()
    page.wait_for_load_state()


def choose_password(page, password: str, axe) -> None:
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    axe(page)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password again").fill(password)
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_role("heading", name="Password saved")).to_be_visible()


def sign_in(page, portal: str, email: str, password: str) -> None:
    page.goto(f"{portal}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_join_set_password_sign_in_then_reset_it(
    request, javascript, join_server, sandbox, axe
):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    email = f"jordan.{'js' if javascript else 'nojs'}@example.com"
    page.goto(f"{join_server}/login")
    page.get_by_role("link", name="Join").click()
    expect(page.get_by_role("heading", name="Join with a registration code")).to_be_visible()
    axe(page)
    page.get_by_label("Registration code", exact=True).fill(CODE)
    if javascript:  # checked as it is typed
        expect(page.locator("#code-status")).to_have_text("✓ This code is valid.")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Join").click()
    # The terms were not accepted: said next to the box, everything typed still there.
    expect(page.locator("#accept_terms-error")).to_have_text(
        "Accept the terms and conditions to join."
    )
    assert page.get_by_label("First name").input_value() == "Jordan"
    assert page.get_by_label("Registration code", exact=True).input_value() == CODE
    axe(page)
    page.get_by_label("I accept the terms and conditions").check()
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert email in page.content()
    axe(page)

    follow_mail(page, sandbox, email, "choose your password")
    choose_password(page, "first-secret-1", axe)
    sign_in(page, join_server, email, "first-secret-1")
    expect(page.get_by_text("SQL from Zero").first).to_be_visible()
    expect(page.get_by_text(f"Your registration code {CODE} was redeemed.")).to_be_visible()
    sign_out(page)

    page.get_by_role("link", name="Forgot your password?").click()
    assert page.url.startswith(f"{sandbox.url}/forgot-password")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    follow_mail(page, sandbox, email, "Reset your password")
    reset_link = page.url
    choose_password(page, "second-secret-2", axe)

    sign_in(page, join_server, email, "first-secret-1")
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    sign_in(page, join_server, email, "second-secret-2")
    expect(page.get_by_text("SQL from Zero").first).to_be_visible()
    page.goto(reset_link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_terms_page_and_verification_notice_pass_axe(page, join_server, sandbox, axe):
    page.goto(f"{join_server}/join/terms")
    expect(page.get_by_role("heading", name="Terms and conditions")).to_be_visible()
    axe(page)
    # Lena, of the second client, has not verified her address yet.
    sign_in(page, join_server, "lena@example.com", "learn-lena-1")
    banner = page.locator(".verify-banner")
    expect(banner).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".brand__name")).to_have_text("Lakeside Health Academy")
    axe(page)
    banner.get_by_role("link").click()
    assert page.url.startswith(f"{sandbox.url}/verify-email")
    page.get_by_role("button", name="Send the verification link again").click()
    follow_mail(page, sandbox, "lena@example.com", "Verify your email address")
    expect(page.get_by_role("heading", name="Email address verified")).to_be_visible()
    page.goto(f"{join_server}/dashboard")
    expect(page.locator(".verify-banner")).to_have_count(0)


def join_as(page, portal: str, email: str) -> str:
    """Join with the valid code as `email`: the text of the page that answers."""
    page.goto(f"{portal}/join?code={CODE}")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("I accept the terms and conditions").check()
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    return page.locator("main").inner_text().replace(email, "EMAIL")


def test_joining_with_a_registered_email_answers_as_for_a_new_one_and_mails_its_owner(
    page, join_server, sandbox, axe
):
    registered = DEMO_LOGINS["new"][0]
    for_new = join_as(page, join_server, "sam.doe@example.com")
    for_registered = join_as(page, join_server, registered)
    assert for_registered == for_new
    assert page.url == f"{join_server}/join/check-your-email"
    axe(page)
    # The owner of the address is told, with the ways back in (the sandbox's own address).
    page.goto(f"{sandbox.url}/outbox")
    mail = page.locator("article").filter(has_text=registered)
    expect(mail.get_by_role("heading")).to_have_text(
        "You already have an account at Northwind Academy"
    )
    expect(mail.locator("pre")).to_contain_text(f"{sandbox.url}/forgot-password")
    mail.get_by_role("link", name="Follow the link of this mail").click()
    assert page.url == f"{sandbox.url}/sign-in"
