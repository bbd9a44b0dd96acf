"""The dashboard in real Chromium: tabs, filters, back, unenroll, archive and reinstate, with and
without JavaScript; axe on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

STARTED = "Coaching Conversations"
OTHER_STARTED = "Python for Analysts"
LEARNING_PATH = "New Manager Journey"
WAITLISTED = "Quarterly Data Clinic"
XSS = "<img src=x onerror=alert(1)>"


def sign_in_to_dashboard(sign_in, page):
    """Sign the busy learner in through the login form, landing on the dashboard."""
    sign_in(page, next_url="/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")


def tab(page, name: str):
    return page.get_by_role("navigation", name="Content groups").get_by_role(
        "link", name=re.compile(rf"^{name} \d+$")
    )


def tab_count(page, name: str) -> int:
    return int(tab(page, name).locator(".tabs__count").inner_text())


def content_list(page):
    return page.locator("#content-list")


def panel(page):
    return page.locator("#dashboard-panel")


def test_tabs_filters_search_back_and_details_with_javascript(
    page, sign_in, live_server, axe, sandbox
):
    sandbox.store.execute("UPDATE content SET title = ? WHERE title = ?", XSS, OTHER_STARTED)
    sign_in_to_dashboard(sign_in, page)
    axe(page)
    listing = content_list(page)
    expect(listing).to_contain_text(STARTED)
    # The payload is shown as text, and no dialog opens (the page fixture fails on any).
    expect(listing.get_by_role("link", name=XSS, exact=True)).to_be_visible()
    expect(tab(page, "My content")).to_have_attribute("aria-current", "page")

    tab(page, "Learning paths").click()
    expect(page).to_have_url(re.compile(r"tab=learningPaths"))
    expect(tab(page, "Learning paths")).to_have_attribute("aria-current", "page")
    expect(panel(page).get_by_role("heading", level=2)).to_have_text("Learning paths")
    expect(listing).to_contain_text(LEARNING_PATH)
    expect(listing).not_to_contain_text(STARTED)
    axe(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(tab(page, "My content")).to_have_attribute("aria-current", "page")
    expect(listing).to_contain_text(STARTED)

    page.get_by_label("Search your content").fill("Coaching")
    expect(page).to_have_url(re.compile(r"q=Coaching"))
    expect(listing).to_contain_text("1 item matches")
    expect(listing).not_to_contain_text(LEARNING_PATH)
    page.get_by_label("Search your content").fill("")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(listing.locator(".content-list__count")).to_contain_text("1–12 of")
    expect(listing).to_contain_text(STARTED)

    page.get_by_label("Kind").select_option("learningPath")
    expect(page).to_have_url(re.compile(r"kind=learningPath"))
    expect(listing).not_to_contain_text(STARTED)
    page.get_by_label("Kind").select_option("")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.get_by_label("Sort by").select_option("title")
    expect(page).to_have_url(re.compile(r"/dashboard\?sort=title$"))
    page.get_by_label("Direction").select_option("desc")
    expect(page).to_have_url(re.compile(r"/dashboard\?sort=title&dir=desc$"))
    titles = listing.locator(".content-item__title")
    expect(titles.first).to_have_text("Workplace Health and Safety")
    # "<" sorts before letters: the payload ends the list, on its last page.
    expect(listing.get_by_role("navigation", name="Pages of the list")).to_contain_text("Page 1")
    expect(listing.get_by_role("link", name=XSS, exact=True)).to_have_count(0)
    axe(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/dashboard\?sort=title$"))
    expect(page.get_by_label("Sort by")).to_have_value("title")
    expect(page.get_by_label("Direction")).to_have_value("asc")  # the restored view, not the old
    expect(listing.locator(".content-item__title").first).to_have_text(XSS)

    item = listing.locator(".content-item", has_text=STARTED)
    item.get_by_role("link", name=STARTED, exact=True).click()
    expect(page).to_have_url(re.compile(r"/learn/course/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(STARTED)
    expect(page.locator(".content-page__facts")).to_contain_text("Comments and discussions")
    axe(page)


def test_unenroll_archive_and_reinstate_with_javascript(page, sign_in, live_server, axe):
    sign_in_to_dashboard(sign_in, page)
    waitlisted = tab_count(page, "Waitlist")
    tab(page, "Waitlist").click()
    item = panel(page).locator(".content-item", has_text=WAITLISTED)
    item.get_by_role("button", name=re.compile("^Leave waitlist")).click()
    confirm = item.get_by_role("button", name="Yes, leave waitlist")
    expect(confirm).to_be_focused()
    axe(page)
    confirm.click()
    expect(panel(page)).to_contain_text(f"You left the waitlist for “{WAITLISTED}”.")
    expect(panel(page).locator(".content-item", has_text=WAITLISTED)).to_have_count(0)
    expect(tab(page, "Waitlist").locator(".tabs__count")).to_have_text(str(waitlisted - 1))

    archived = tab_count(page, "Archived")
    tab(page, "My content").click()
    expect(tab(page, "My content")).to_have_attribute("aria-current", "page")
    item = content_list(page).locator(".content-item", has_text=STARTED)
    item.get_by_role("button", name=re.compile("^Archive")).click()
    item.get_by_role("button", name="Yes, archive").click()
    expect(panel(page)).to_contain_text(f"“{STARTED}” was archived.")
    expect(content_list(page).locator(".content-item", has_text=STARTED)).to_have_count(0)
    expect(tab(page, "Archived").locator(".tabs__count")).to_have_text(str(archived + 1))

    tab(page, "Archived").click()
    # The panel already names the item ("… was archived."): wait for the archived list.
    expect(tab(page, "Archived")).to_have_attribute("aria-current", "page")
    archived_item = panel(page).locator("#archived-list .content-item", has_text=STARTED)
    expect(archived_item).to_be_visible()
    axe(page)
    archived_item.get_by_role("button", name=re.compile("^Reinstate")).click()
    expect(panel(page)).to_contain_text(f"“{STARTED}” is back in your content.")
    expect(tab(page, "Archived").locator(".tabs__count")).to_have_text(str(archived))
    tab(page, "My content").click()
    expect(content_list(page)).to_contain_text(STARTED)


def test_the_same_flows_without_javascript(page_nojs, sign_in, live_server, axe):
    page = page_nojs
    sign_in_to_dashboard(sign_in, page)
    axe(page)
    tab(page, "Learning paths").click()
    expect(page).to_have_url(re.compile(r"tab=learningPaths"))
    expect(content_list(page)).to_contain_text(LEARNING_PATH)
    page.go_back()
    expect(content_list(page)).to_contain_text(STARTED)

    page.get_by_label("Search your content").fill("Coaching")
    page.get_by_label("Sort by").select_option("title")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=Coaching"))
    expect(content_list(page)).to_contain_text("1 item matches")

    # Archive: a confirm page, then back to the same view with a message.
    content_list(page).locator(".content-item", has_text=STARTED).get_by_role(
        "button", name=re.compile("^Archive")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm")
    axe(page)
    page.get_by_role("button", name="Yes, archive").click()
    expect(page).to_have_url(re.compile(r"q=Coaching"))
    expect(page.get_by_text(f"“{STARTED}” was archived.")).to_be_visible()
    expect(content_list(page).locator(".content-item")).to_have_count(0)

    archived = tab_count(page, "Archived")
    tab(page, "Archived").click()
    panel(page).locator(".content-item", has_text=STARTED).get_by_role(
        "button", name=re.compile("^Reinstate")
    ).click()
    expect(page.get_by_text(f"“{STARTED}” is back in your content.")).to_be_visible()
    expect(tab(page, "Archived").locator(".tabs__count")).to_have_text(str(archived - 1))

    page.goto(page.url.split("?")[0])  # the counts follow the search: clear it
    waitlisted = tab_count(page, "Waitlist")
    tab(page, "Waitlist").click()
    panel(page).locator(".content-item", has_text=WAITLISTED).get_by_role(
        "button", name=re.compile("^Leave waitlist")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please confirm")
    page.get_by_role("button", name="Yes, leave waitlist").click()
    expect(page).to_have_url(re.compile(r"tab=waitlistedCourses"))
    expect(page.get_by_text(f"You left the waitlist for “{WAITLISTED}”.")).to_be_visible()
    expect(panel(page).locator(".content-item", has_text=WAITLISTED)).to_have_count(0)
    expect(tab(page, "Waitlist").locator(".tabs__count")).to_have_text(str(waitlisted - 1))
    axe(page)

    page.goto(f"{live_server.url}/dashboard/recent?limit=25")
    expect(page.locator("#recent-content")).to_contain_text(STARTED)
    axe(page)
