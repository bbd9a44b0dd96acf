"""Every main flow by keyboard alone, in real Chromium: after each htmx swap the focus is where
the learner acts next (never <body>), the page's live region says what changed, the focus ring
stands out 3:1 from what is behind it, and axe finds nothing. One sandbox and portal for the
module; each test signs its own learner in and changes items no other test here uses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS
from tests.browser import fits_360, ring_contrast, tab_to
from tests.conftest import copy_demo_data, portal_settings, start_sandbox

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(demo_data, tmp_path_factory):
    """The sandbox and the portal (registration open), shared by the module's tests."""
    from portal import create_app
    from portal.api.cache import cache
    from portal.sandbox.server import start

    directory = tmp_path_factory.mktemp("keyboard")
    sandbox = start_sandbox(copy_demo_data(demo_data, directory / "sandbox"))
    app = create_app(portal_settings(sandbox.url, directory, PORTAL_REGISTRATION=True))
    running = start(app)
    yield running
    running.stop()
    sandbox.server.stop()
    with app.app_context():
        cache.clear()


def said(page, region: str = "status"):
    """The page's live region: "status" (polite) or "alert" (assertive)."""
    return page.locator(f"#live-{region}")


def sign_in(page, server, who: str = "busy", next_url: str = "/dashboard") -> None:
    """Through the login form by keyboard: the email field has the focus from the start."""
    email, password = DEMO_LOGINS[who]
    page.goto(f"{server.url}/login?next={next_url}")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")
    # The page's heading shows before its deferred scripts run: until the load event a form
    # would be sent without htmx, as a whole page.
    page.wait_for_load_state()


def named(action: str, title: str):
    """A control's accessible name: its visible verb, then (visually hidden) what it acts on."""
    return re.compile(rf"^{re.escape(action)}\s*:\s*{re.escape(title)}$")


def cancel_then_confirm(page, asking, yes: str) -> None:
    """From a confirmation's Yes button: Cancel gives the focus back to the button that asked;
    it asks again, and this time Yes."""
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Cancel
    expect(asking).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=yes)).to_be_focused()
    page.keyboard.press("Enter")


def panel_heading(page, name: str):
    return page.locator("#dashboard-panel").get_by_role("heading", level=2, name=name)


def tab_link(page, name: str):
    return page.get_by_role("navigation", name="Content groups").get_by_role(
        "link", name=re.compile(rf"^{name} \d+$")
    )


def test_sign_in_menu_and_skip_link_by_keyboard(page, server, axe):
    email, password = DEMO_LOGINS["busy"]
    page.goto(f"{server.url}/login")
    expect(page.get_by_label("Email")).to_be_focused()
    ring_contrast(page)
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    # The page came back with the email kept: the password field has the focus.
    expect(page.get_by_label("Password")).to_be_focused()
    axe(page)
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    page.wait_for_load_state()  # Escape closes the menu once portal.js runs

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    ring_contrast(page)
    menu = page.locator(".user-menu > summary")
    tab_to(page, menu)
    expect(menu).to_have_accessible_name("Account menu for Avery Johnson")
    ring_contrast(page)  # on the header
    page.keyboard.press("Enter")
    expect(page.locator(".user-menu")).to_have_attribute("open", "")
    tab_to(page, page.get_by_role("button", name="Sign out"))
    page.keyboard.press("Escape")
    expect(page.locator(".user-menu")).not_to_have_attribute("open", "")
    expect(menu).to_be_focused()
    tab_to(page, page.get_by_role("link", name="Terms and conditions"))
    ring_contrast(page)  # on the footer
    axe(page)


def test_tabs_search_pager_and_recent_content_by_keyboard(page, server, axe):
    sign_in(page, server)
    status = said(page)

    more = page.get_by_role("link", name="Show more recent content")
    tab_to(page, more)
    page.keyboard.press("Enter")
    recent = page.locator("#recent-content .content-card__title a")
    expect(recent.nth(6)).to_be_focused()  # the first item that was not shown before
    expect(status).to_have_text(re.compile(r"^\d+ recent items shown\.$"))
    ring_contrast(page)  # on a card

    tab_to(page, tab_link(page, "Learning paths"))
    page.keyboard.press("Enter")
    expect(panel_heading(page, "Learning paths")).to_be_focused()
    expect(status).to_have_text(re.compile(r"^\d+ items?\.$"))
    ring_contrast(page)
    tab_to(page, tab_link(page, "My content"), backwards=True)
    page.keyboard.press("Enter")
    expect(panel_heading(page, "My content")).to_be_focused()
    expect(status).to_have_text(re.compile(r"^1–12 of \d+ items\.$"))

    search = page.get_by_label("Search your content")
    tab_to(page, search)
    page.keyboard.type("Coaching")
    expect(status).to_have_text("1 item matches “Coaching”.")
    expect(search).to_be_focused()  # the list changed under the search field, not the field
    for _ in "Coaching":
        page.keyboard.press("Backspace")
    expect(status).to_have_text(re.compile(r"^1–12 of \d+ items\.$"))
    expect(search).to_be_focused()

    pages = page.get_by_role("navigation", name="Pages of the list")
    tab_to(page, pages.get_by_role("link", name="Next page"))
    page.keyboard.press("Enter")
    expect(status).to_have_text(re.compile(r"^13–\d+ of \d+ items\.$"))
    # The link pressed keeps the focus; on the last page, where it is gone, Previous page.
    on = "Next page" if pages.get_by_role("link", name="Next page").count() else "Previous page"
    expect(pages.get_by_role("link", name=on)).to_be_focused()
    ring_contrast(page)
    if on == "Next page":
        tab_to(page, pages.get_by_role("link", name="Previous page"), backwards=True, limit=1)
    page.keyboard.press("Enter")
    expect(status).to_have_text(re.compile(r"^1–12 of \d+ items\.$"))
    # The first page has no Previous page: its Next page takes the focus.
    expect(pages.get_by_role("link", name="Next page")).to_be_focused()
    axe(page)


ARCHIVED = "Python for Analysts"
ARCHIVED_WITHOUT_JS = "SQL from Zero"
BOOKMARKED = "Leading Remote Teams"


def test_archive_cancel_and_reinstate_by_keyboard(page, server, axe):
    sign_in(page, server)
    status = said(page)
    archive = page.get_by_role("button", name=named("Archive", ARCHIVED))
    tab_to(page, archive)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Yes, archive")).to_be_focused()
    question = f"Archive “{ARCHIVED}”? It moves to Archived, where you can reinstate it."
    expect(status).to_have_text(question)
    ring_contrast(page)  # on the confirmation's notice background
    cancel_then_confirm(page, archive, "Yes, archive")
    expect(panel_heading(page, "My content")).to_be_focused()
    expect(status).to_contain_text(f"“{ARCHIVED}” was archived.")
    expect(archive).to_have_count(0)

    tab_to(page, tab_link(page, "Archived"), backwards=True)
    page.keyboard.press("Enter")
    expect(panel_heading(page, "Archived")).to_be_focused()
    tab_to(page, page.get_by_role("button", name=named("Reinstate", ARCHIVED)))
    page.keyboard.press("Enter")
    expect(panel_heading(page, "Archived")).to_be_focused()
    expect(status).to_contain_text(f"“{ARCHIVED}” is back in your content.")
    ring_contrast(page)
    axe(page)


def test_without_javascript_the_message_comes_first_after_the_skip_link(page_nojs, server, axe):
    page = page_nojs
    sign_in(page, server)
    tab_to(page, page.get_by_role("button", name=named("Archive", ARCHIVED_WITHOUT_JS)))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm")
    tab_to(page, page.get_by_role("button", name="Yes, archive"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    reading = [line for line in page.evaluate("() => document.body.innerText").split("\n") if line]
    assert reading[:2] == ["Skip to main content", f"“{ARCHIVED_WITHOUT_JS}” was archived."]
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    ring_contrast(page)
    axe(page)
    fits_360(page)


def test_bookmarks_and_folders_by_keyboard(page, server, axe):
    sign_in(page, server)
    status = said(page)
    bookmark = page.get_by_role("button", name=named("Bookmark", BOOKMARKED)).first
    tab_to(page, bookmark)
    page.keyboard.press("Enter")
    remove = page.get_by_role("button", name=named("Remove bookmark", BOOKMARKED)).first
    expect(remove).to_be_focused()
    expect(status).to_have_text(f"“{BOOKMARKED}” is bookmarked.")
    ring_contrast(page)
    axe(page)

    page.goto(f"{server.url}/bookmarks")
    tab_to(page, page.get_by_label("Folder name"))
    page.keyboard.type("Later")
    page.keyboard.press("Enter")
    later = page.get_by_role("heading", level=3, name=re.compile(r"^Later \d+$"))
    expect(later).to_be_focused()
    expect(status).to_have_text("The folder “Later” was created.")
    ring_contrast(page)  # on a card

    tab_to(page, page.get_by_label(named("Folder", BOOKMARKED)), backwards=True)
    page.keyboard.press("ArrowDown")  # the folder after the default one: Later
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Move
    moved = page.locator(".bookmark-folder", has=later).get_by_role("link", name=BOOKMARKED)
    expect(moved).to_be_focused()
    expect(status).to_have_text("The bookmark was moved.")

    rename = page.locator(".bookmark-folder", has=later).locator("summary")
    tab_to(page, rename, backwards=True)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    new_name = page.locator(".bookmark-folder", has=later).get_by_label("New name")
    expect(new_name).to_be_focused()
    page.keyboard.press("Escape")  # the disclosure closes, its summary has the focus again
    expect(rename).to_be_focused()
    expect(new_name).to_be_hidden()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Soon")
    page.keyboard.press("Enter")
    soon = page.get_by_role("heading", level=3, name=re.compile(r"^Soon \d+$"))
    expect(soon).to_be_focused()
    expect(status).to_have_text("The folder is now called “Soon”.")

    tab_to(page, page.get_by_role("button", name=named("Remove bookmark", BOOKMARKED)))
    page.keyboard.press("Enter")
    expect(soon).to_be_focused()  # its only bookmark gone: the folder's heading
    expect(status).to_have_text("The bookmark was removed.")

    names = [text.split()[0] for text in page.locator(".bookmark-folder h3").all_inner_texts()]
    where = names.index("Soon")
    neighbour = names[where + 1] if where + 1 < len(names) else names[where - 1]
    delete = page.get_by_role("button", name=named("Delete folder", "Soon"))
    tab_to(page, delete, backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Yes, delete the folder")).to_be_focused()
    expect(status).to_have_text("Delete “Soon” and its 0 bookmarks?")
    cancel_then_confirm(page, delete, "Yes, delete the folder")
    expect(status).to_have_text("The folder and its bookmarks were deleted.")
    # The folder gone, the one after it (else the one before) has the focus.
    expect(page.get_by_role("heading", level=3, name=re.compile(rf"^{neighbour}"))).to_be_focused()
    axe(page)


def test_account_forms_by_keyboard(page, server, axe):
    sign_in(page, server, next_url="/account")
    status = said(page)
    engineering = page.get_by_role("radio", name=re.compile("Engineering"))
    tab_to(page, page.locator("input[name=license_id]:checked"))  # a radio group: one stop
    page.keyboard.press("ArrowDown")  # two licenses: the other one, whichever is first
    expect(engineering).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Make this license active"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Licenses")).to_be_focused()
    expect(status).to_have_text(re.compile(r"^Your active license is now .*Engineering.*\.$"))
    ring_contrast(page)

    tab_to(page, page.get_by_role("button", name="Set up a calendar feed"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Address of your calendar feed")).to_be_focused()
    expect(status).to_have_text(re.compile(r"^Your calendar feed is ready"))
    reset = page.get_by_role("button", name="Reset the address")
    page.keyboard.press("Tab")
    expect(reset).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Yes, reset the address")).to_be_focused()
    expect(status).to_contain_text("Reset the address?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Cancel
    expect(reset).to_be_focused()
    axe(page)

    page.goto(f"{server.url}/account/codes")
    code = page.get_by_label("Code", exact=True)
    tab_to(page, code)
    page.keyboard.type("NOT-A-CODE")
    page.keyboard.press("Enter")
    expect(said(page, "alert")).not_to_be_empty()
    expect(code).to_be_focused()
    for _ in "NOT-A-CODE":
        page.keyboard.press("Backspace")
    page.keyboard.type(DEMO_CODES["redemption"]["valid"])
    page.keyboard.press("Enter")
    redeem = page.get_by_role("button", name=f"Redeem {DEMO_CODES['redemption']['valid']}")
    expect(redeem).to_be_focused()
    expect(status).not_to_be_empty()
    expect(said(page, "alert")).to_be_empty()  # the last answer's words only
    ring_contrast(page)
    axe(page)


def test_join_by_keyboard(page, server, axe):
    page.goto(f"{server.url}/join")
    status = said(page)
    code = page.get_by_role("textbox", name="Registration code")
    expect(code).to_be_focused()
    page.keyboard.type(DEMO_CODES["registration"]["used"])
    expect(status).to_have_text(re.compile(r"used", re.I))
    expect(code).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(DEMO_CODES["registration"]["valid"])
    expect(status).to_have_text("This code is valid.")
    expect(code).to_be_focused()
    ring_contrast(page)
    axe(page)
    for value in ("Jo", "Keyboard", "jo.keyboard@example.com"):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the terms
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Join
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def test_a_client_brand_colours_the_focus_ring(page, server, axe):
    sign_in(page, server, who="branded")
    tab_to(page, page.locator(".user-menu > summary"))
    colour = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert colour == "rgb(11, 110, 79)"  # Lakeside Health's accent, dark enough for a ring
    ring_contrast(page)
    tab_to(page, page.locator("#dashboard-panel button").first)
    ring_contrast(page)
    axe(page)
