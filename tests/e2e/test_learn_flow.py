"""Continue learning in real Chromium: content pages pass axe and fit 360 px; and the whole loop,
with JavaScript on and off: Start a course in the portal, complete it on the instance (the
sandbox's course page), come back to Review, a certificate, more points and one more completed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.sandbox.demo import DEMO_LOGINS
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


def complete_on_the_instance(page, who: str) -> None:
    """Sign in on the instance when it asks (its own session), then mark every section done."""
    email, password = DEMO_LOGINS[who]
    if page.get_by_label("Password").count():
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
        page.wait_for_load_state()
    for _ in range(50):
        buttons = page.get_by_role("button", name=DONE_BUTTON)
        if not buttons.count():
            break
        buttons.first.click()
        page.wait_for_load_state()
    expect(page.get_by_role("button", name=DONE_BUTTON)).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_start_a_course_complete_it_on_the_instance_and_come_back_to_review(
    request, sign_in, live_server, sandbox, axe, javascript
):
    page = request.getfixturevalue("page" if javascript else "page_nojs")
    sign_in(page, next_url="/dashboard")
    points = badge_points(page, live_server)
    page.goto(f"{live_server.url}/dashboard")
    completed = completed_count(page)
    course_id, title = course_to_start(page, sandbox)

    card = page.locator("#content-list .content-card", has_text=title).first
    start = card.get_by_role("link", name=re.compile(rf"^Start\s*:\s*{re.escape(title)}$"))
    expect(start).to_have_attribute("href", re.compile("^" + re.escape(sandbox.url)))
    start.click()
    page.wait_for_load_state()
    assert page.url.startswith(sandbox.url)
    complete_on_the_instance(page, "busy")

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
