"""Dashboard tabs, bookmarks and the catalog in real Chromium: axe on every tab and on a filtered
catalog, no sideways scrolling at 360 px on any page of the walkthrough, and bookmarking an item
from My content through to removing it, with JavaScript on and again off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import fits_360

pytestmark = pytest.mark.e2e

ITEM = "Leading Remote Teams"  # in My content, not bookmarked yet
TABS = ("completedItems", "learningPaths", "eventItems", "bookmarkFolders", "certificates")


def walkthrough(sandbox) -> list[str]:
    """Every page a learner walks through: dashboard and its tabs, catalog (filtered too),
    certificates and one of them, badges, account, codes, bookmarks, content pages."""
    cert = sandbox.store.scalar(
        "SELECT c.id FROM certificates c JOIN users u ON u.id = c.user_id "
        "WHERE u.email = 'avery@example.com' LIMIT 1"
    )
    course = sandbox.store.scalar("SELECT id FROM content WHERE title = 'Coaching Conversations'")
    pages = ["/dashboard", *(f"/dashboard?tab={tab}" for tab in TABS)]
    pages += ["/dashboard?tab=waitlistedCourses", "/dashboard?tab=archivedContentItems"]
    pages += ["/catalog", "/catalog?type=course&type=webinar&sort=title", "/certificates"]
    pages += [f"/certificates/{cert}"] if cert else []
    pages += ["/badges", "/account", "/account/codes", "/bookmarks", f"/learn/course/{course}"]
    return pages


def test_every_page_passes_axe_and_fits_360_px(page, sign_in, live_server, sandbox, axe):
    sign_in(page, next_url="/dashboard")
    for path in walkthrough(sandbox):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page)
        fits_360(page)


def test_the_new_learners_tabs_pass_axe(page, sign_in, live_server, axe):
    sign_in(page, "new", next_url="/dashboard")
    for tab in TABS:
        page.goto(f"{live_server.url}/dashboard?tab={tab}")
        page.wait_for_load_state("networkidle")
        axe(page)
        fits_360(page)


def test_catalog_filters_live_and_stay_in_the_url(page, sign_in, live_server, axe):
    sign_in(page, next_url="/catalog")
    page.get_by_label("Learning path").check()
    expect(page).to_have_url(re.compile(r"type=learningPath"))
    page.get_by_label("Sort by").select_option("title")
    expect(page).to_have_url(re.compile(r"sort=title"))
    titles = page.locator("#catalog-list .content-card__title")
    expect(titles.first).to_be_visible()
    shown = [t.strip() for t in titles.all_inner_texts()]
    assert shown == sorted(shown, key=str.lower)
    axe(page)
    page.reload()
    expect(page.get_by_label("Learning path")).to_be_checked()


def named(action: str, title: str = ITEM):
    """An action's accessible name: the visible verb, then the item it acts on."""
    return re.compile(rf"^{re.escape(action)}\s*:\s*{re.escape(title)}$")


def tab_count(page) -> int:
    link = page.locator("#content-groups a[href$='tab=bookmarkFolders']")
    return int(link.locator(".tabs__count").inner_text())


def card(page, title=ITEM):
    return page.locator(".content-card", has=page.get_by_role("heading", name=title, exact=True))


def bookmark_flow(page, live_server, js: bool) -> None:
    page.goto(f"{live_server.url}/dashboard")
    before = tab_count(page)
    item = card(page).first
    item.get_by_role("button", name=named("Bookmark")).click()
    expect(item.get_by_role("button", name=named("Remove bookmark"))).to_be_visible()
    if js:  # the count follows without a reload
        expect(
            page.locator("#content-groups a[href$='tab=bookmarkFolders'] .tabs__count")
        ).to_have_text(str(before + 1))
    else:
        assert tab_count(page) == before + 1
    page.locator("#content-groups").get_by_role("link", name=re.compile("Bookmarks")).click()
    bookmarks = page.locator("#bookmarks")
    expect(bookmarks.get_by_role("heading", name=ITEM, exact=True)).to_be_visible()
    bookmarks.get_by_label("Folder name").fill("Later")
    bookmarks.get_by_role("button", name="Create folder").click()
    expect(
        page.locator("#bookmarks").get_by_role("heading", name=re.compile(r"^Later"))
    ).to_be_visible()
    page.locator("#bookmarks").get_by_label(named("Folder")).select_option(label="Later")
    page.locator("#bookmarks").get_by_role("button", name=named("Move")).click()
    later = page.locator(
        ".bookmark-folder", has=page.get_by_role("heading", name=re.compile(r"^Later"))
    )
    expect(later.get_by_role("heading", name=ITEM, exact=True)).to_be_visible()
    later.get_by_role("button", name=named("Remove bookmark")).click()
    expect(page.locator("#bookmarks").get_by_role("heading", name=ITEM, exact=True)).to_have_count(
        0
    )
    if js:
        expect(
            page.locator("#content-groups a[href$='tab=bookmarkFolders'] .tabs__count")
        ).to_have_text(str(before))
    else:
        assert tab_count(page) == before


def test_bookmark_move_and_remove_with_javascript(page, sign_in, live_server, axe):
    sign_in(page, next_url="/dashboard")
    bookmark_flow(page, live_server, js=True)
    axe(page)


def test_bookmark_move_and_remove_without_javascript(page_nojs, sign_in, live_server):
    # axe runs on these pages in the walkthrough test (the same HTML).
    sign_in(page_nojs, next_url="/dashboard")
    bookmark_flow(page_nojs, live_server, js=False)
