"""Continue learning in real Chromium: content pages pass axe and fit 360 px; and the whole loop,
with JavaScript on and off and one sign-in (JWT single sign-on): Start a course in the portal,
land signed in on the instance's course page (the sandbox's) and complete it there, come back to
Review, a certificate, more points and one more completed; sign out here and the instance asks
to sign in again, here."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import fits_360

pytestmark = pytest.mark.e2e

STARTED = "Coaching Conversations"
LEARNING_PATH = "New Manager Journey"
DONE_BUTTON = re.compile(r"(mark|complete).*(done|complete|section)|^complete", re.I)


def content_pages(sandbox) -> list[str]:
    """A started course, a completed one, an event and a learning path of the busy learner."""
    store = sandbox.store
    course = store.scalar("SELECT id FROM content WHERE title = ?", STARTED)
    path = store.scalar("SELECT slug FROM content WHERE title = ?", LEARNING_PATH)
    pages = [f"/learn/course/{course}", f"/learn/learning-path/{path}"]
    event = store.one("SELECT id, kind FROM content WHERE kind IN ('webinar', 'inPersonEvent')")
    if event:
        segment = "webinar" if event["kind"] == "webinar" else "in-person-event"
        pages.append(f"/learn/{segment}/{event['id']}")
    return pages


def test_content_pages_pass_axe_and_fit_360_px(page, sign_in, live_server, sandbox, axe):
    sign_in(page, next_url="/dashboard")
    for path in content_pages(sandbox):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page)
        fits_360(page)


def test_every_card_title_opens_its_content_page(page, sign_in, live_server, axe):
    sign_in(page, next_url="/dashboard")
    card = page.locator("#content-list .content-card", has_text=STARTED)
    expect(card.locator(".content-card__action")).to_have_count(1)
    card.get_by_role("link", name=STARTED, exact=True).click()
    expect(page).to_have_url(re.compile(r"/learn/course/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(STARTED)
    expect(page.get_by_role("progressbar")).to_be_visible()
    axe(page)


def test_a_list_swapped_in_by_htmx_gets_its_progress_bars(page, sign_in, live_server):
    sign_in(page, next_url="/dashboard")
    page.get_by_label("Search your content").fill("Coaching")
    expect(page).to_have_url(re.compile(r"/dashboard\?q=Coaching$"))
    card = page.locator("#content-list .content-card", has_text=STARTED)
    # The list came without percents (one upstream request); one more request brought them.
    expect(card.get_by_role("progressbar")).to_be_visible()
    expect(card.locator(".progress__text")).to_contain_text("% complete")


# -- the whole loop -------------------------------------------------------------------------


def completed_count(page) -> int:
    tab = page.get_by_role("navigation", name="Content groups").get_by_role(
        "link", name=re.compile(r"^Completed \d+$")
    )
    return int(tab.locator(".tabs__count").inner_text())


def badge_points(page, live_server) -> int:
    page.goto(f"{live_server.url}/badges")
    text = page.locator("main").inner_text()
    found = re.search(r"([\d,]+)\s+points", text, re.I)
    assert found, "the badge board shows no points"
    return int(found.group(1).replace(",", ""))


def course_to_start(page, sandbox) -> tuple[str, str]:
    """(id, title) of a not-started course on the dashboard that earns awards and a certificate."""
    ids = page.locator("#content-list .content-card--not-started .content-card__title a")
    for href in ids.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        found = re.fullmatch(r"/learn/course/([\w-]+)", href or "")
        if not found:
            continue
        row = sandbox.store.one(
            "SELECT id, title FROM content WHERE id = ? AND certificate_template_id IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM content_awards a WHERE a.content_id = content.id)",
            found.group(1),
        )
        if row:
            return row["id"], row["title"]
    pytest.fail("the demo learner has no not-started course with awards and a certificate")


def complete_on_the_instance(page) -> None:
    """Mark every section done on the instance's page, where the learner arrived signed in."""
    expect(page.get_by_label("Password")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    for _ in range(50):
        buttons = page.get_by_role("button", name=DONE_BUTTON)
        if not buttons.count():
            break
        buttons.first.click()
        page.wait_for_load_state()
    expect(page.get_by_role("button", name=DONE_BUTTON)).to_have_count(0)


def sign_out_here(page, live_server) -> None:
    page.goto(f"{live_server.url}/dashboard")
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_start_a_course_complete_it_on_the_instance_and_come_back_to_review(
    request, sign_in, live_server, sandbox, single_sign_on, axe, javascript
):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    single_sign_on(live_server.url)
    sign_in(page, next_url="/dashboard")
    points = badge_points(page, live_server)
    page.goto(f"{live_server.url}/dashboard")
    completed = completed_count(page)
    course_id, title = course_to_start(page, sandbox)

    card = page.locator("#content-list .content-card", has_text=title).first
    start = card.get_by_role("link", name=re.compile(rf"^Start\s*:\s*{re.escape(title)}$"))
    expect(start).to_have_attribute("href", re.compile(r"^/sso/login\?returnTo=/learn/"))
    start.click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{sandbox.url}/learn/") and "jwt" not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    course_on_the_instance = page.url
    complete_on_the_instance(page)

    page.goto(f"{live_server.url}/learn/course/{course_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    review = page.get_by_role("link", name=re.compile(rf"^Review\s*:\s*{re.escape(title)}$"))
    expect(review).to_be_visible()
    expect(page.locator(".content-page__intro")).to_contain_text("Completed")
    axe(page)
    fits_360(page)

    page.goto(f"{live_server.url}/certificates")
    expect(page.locator("main")).to_contain_text(title)
    assert badge_points(page, live_server) > points
    page.goto(f"{live_server.url}/dashboard")
    assert completed_count(page) == completed + 1

    # Signing out here ends the instance's session too: its page asks to sign in, here.
    sign_out_here(page, live_server)
    assert sandbox.store.scalar("SELECT COUNT(*) FROM site_sessions") == 0
    page.goto(course_on_the_instance)
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/login\?next="))
    expect(page.get_by_label("Password")).to_be_visible()
