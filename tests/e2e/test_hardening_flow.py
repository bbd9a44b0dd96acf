"""In Chromium: a form survives an outage; a learner ends their sessions from another browser."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import API_KEY

pytestmark = pytest.mark.e2e

UPLOAD = {
    "Address (URL) of the certificate file": "https://files.example.com/first-aid.pdf",
    "Course": "First aid at work",
    "Issued on": "2025-03-01",
    "Valid until": "2027-03-01",
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_certificate_upload_keeps_what_was_typed_when_the_instance_is_down(
    request, javascript, sign_in, live_server, sandbox, axe
):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    sign_in(page)
    page.goto(f"{live_server.url}/certificates/new")
    for label, value in UPLOAD.items():
        page.get_by_label(label, exact=True).fill(value)
    sandbox.server.stop()

    page.get_by_role("button", name="Add certificate").click()

    expect(page.locator(".form-outage")).to_contain_text(
        "The learning service is not reachable right now. What you entered is kept below"
    )
    for label, value in UPLOAD.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    axe(page)


def _token(app, context) -> str:
    cookie = next(c["value"] for c in context.cookies() if c["name"] == "portal_session")
    interface = app.session_interface
    return interface._retrieve_session_data(interface._get_store_id(cookie))["ti_token"]


def _current_user_code(sandbox, token: str) -> str | None:
    answer = requests.post(
        f"{sandbox.url}/helium",
        params={"apiKey": API_KEY},
        json={"query": "{ CurrentUser { id } }"},
        headers={"authToken": token},
        timeout=10,
    ).json()
    errors = answer.get("errors") or [{}]
    return (errors[0].get("extensions") or {}).get("code")


@pytest.fixture
def second_page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_end_a_session_from_another_browser_then_everywhere(
    page, second_page, sign_in, live_server, sandbox, axe
):
    sign_in(page)
    sign_in(second_page)
    second_page.goto(f"{live_server.url}/account")
    sessions = second_page.locator("#sessions")
    expect(sessions.get_by_text("This browser")).to_be_visible()
    axe(second_page)

    sessions.locator("form[action$='/end'] button").click()

    messages = second_page.get_by_role("region", name="Messages")
    expect(messages).to_contain_text("That session was signed out.")
    expect(second_page.locator("#sessions form[action$='/end']")).to_have_count(0)
    page.goto(f"{live_server.url}/dashboard")
    expect(page).to_have_url(f"{live_server.url}/login?next=/dashboard")
    expect(page.get_by_label("Email")).to_be_visible()

    sign_in(page)
    tokens = [_token(live_server.app, p.context) for p in (page, second_page)]
    assert all(_current_user_code(sandbox, token) is None for token in tokens)
    second_page.goto(f"{live_server.url}/account")
    second_page.get_by_role("button", name="Sign out everywhere").click()

    expect(second_page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{live_server.url}/account")
    expect(page.get_by_label("Email")).to_be_visible()
    for token in tokens:
        assert _current_user_code(sandbox, token) == "UNAUTHENTICATED"


def csp_reports(page) -> list[str]:
    """The console messages in which Chromium reports what the CSP refused, as they come."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def _serve_demo_images_from(sandbox) -> None:
    """Point the demo data's image URLs at this test's sandbox, as `portal demo` does."""
    from portal.sandbox.demo import DEFAULT_BASE_URL

    store = sandbox.store
    for table in store.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
        name = table["name"]
        for column in store.query(f"PRAGMA table_info({name})"):
            if column["type"].upper() == "TEXT":
                store.execute(
                    f"UPDATE {name} SET {column['name']} = "
                    f"REPLACE({column['name']}, ?, ?) WHERE {column['name']} LIKE ?",
                    DEFAULT_BASE_URL,
                    sandbox.url,
                    f"%{DEFAULT_BASE_URL}%",
                )


def test_demo_images_from_the_sandbox_load_under_the_csp(page, sign_in, live_server, sandbox):
    _serve_demo_images_from(sandbox)
    refused = csp_reports(page)
    sign_in(page)
    page.goto(f"{live_server.url}/catalog")
    page.wait_for_load_state("networkidle")

    images = page.eval_on_selector_all(
        "img", "(all) => all.map((img) => [img.currentSrc, img.complete && img.naturalWidth > 0])"
    )
    from_sandbox = [(src, ok) for src, ok in images if src.startswith(sandbox.url)]
    assert len(from_sandbox) >= 2, images
    assert all(ok for _src, ok in from_sandbox), from_sandbox
    assert not refused, refused


def test_the_instance_colours_apply_under_the_csp_on_a_kept_page(page, sign_in, live_server, axe):
    refused = csp_reports(page)
    sign_in(page)
    for _ in range(3):  # drawn, then kept, then sent as compressed before
        page.goto(f"{live_server.url}/dashboard")
        accent = page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--brand-accent')"
        )
        assert accent.strip().lower() == "#1d4e89"  # the demo instance's accent colour
    axe(page)
    # Its form token still works: bookmark through htmx a card not bookmarked yet (a
    # button's name holds the card's title: "Bookmark: Title", "Remove bookmark: Title").
    form = page.locator("form.bookmark-toggle").filter(
        has=page.get_by_role("button", name=re.compile(r"^Bookmark\b"))
    )
    title = re.escape(form.first.locator("input[name=title]").input_value())
    page.get_by_role("button", name=re.compile(rf"^Bookmark\W+{title}$")).first.click()
    bookmarked = page.get_by_role("button", name=re.compile(rf"^Remove bookmark\W+{title}$"))
    expect(bookmarked.first).to_be_visible()
    assert not refused, refused
