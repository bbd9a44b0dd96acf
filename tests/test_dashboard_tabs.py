"""The dashboard tabs that answer their question: Completed, Learning paths, Events, Bookmarks,
Certificates; plain and htmx, for the busy demo learner and for the new one."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.test_dashboard import HX, html

TABS = ("completedItems", "learningPaths", "eventItems", "bookmarkFolders", "certificates")
EMPTY = {
    "completedItems": ("Nothing completed yet", "/dashboard"),
    "learningPaths": ("No learning paths yet", "/catalog?type=learningPath"),
    "eventItems": ("No events yet", "/catalog?type=webinar&amp;type=inPersonEvent"),
    "bookmarkFolders": ("No bookmarks yet", "/dashboard"),
    "certificates": ("No certificates yet", "/certificates"),
}

# What each tab shows of the busy learner's own.
TAB_MARKS = {
    "completedItems": "Completed on",
    "learningPaths": "New Manager Journey",
    "eventItems": "Leadership Offsite London",
    "bookmarkFolders": 'id="bookmarks"',
    "certificates": 'class="certificate-row',
}


def panel(page: str) -> str:
    """The tab's panel, not the recent content above it (an htmx panel is the whole answer)."""
    return page.split('id="dashboard-panel"', 1)[-1]


def titles(page: str) -> list[str]:
    """Card titles in the tab's panel (not the recent content above it)."""
    page = panel(page)
    return [
        re.sub(r"<[^>]+>", "", t).strip()
        for t in re.findall(r'class="content-card__title[^"]*">(.*?)</h\d>', page, re.S)
    ]


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_event_cards_name_their_session_and_when_it_meets(busy, sandbox, headers):
    first = sandbox.store.scalar(
        "SELECT MIN(start_date) FROM meetings JOIN content ON content.id = meetings.content_id "
        "WHERE content.title = 'Leadership Offsite London'"
    )
    moment = datetime.fromisoformat(first.replace("Z", "+00:00"))
    # In the learner's content: the session and when it meets (UTC for the demo learner).
    listed = cards_by_title(html(busy.get("/dashboard?q=Offsite", headers=headers)))
    when = re.search(r'Session: Planning the year ahead, <span class="content-card__date">'
                     r"([^<]+)</span>", listed["Leadership Offsite London"])  # fmt: skip
    assert when and f" {moment.day}, {moment.year}, 9:00\u202fAM" in when[1]
    # The Events tab writes the time out in full below the card: the session without it.
    events = cards_by_title(panel(html(busy.get("/dashboard?tab=eventItems", headers=headers))))
    offsite = events["Leadership Offsite London"]
    assert "Session: Planning the year ahead</p>" in offsite
    assert "Session: Annual briefing</p>" in events["Compliance Briefing 2025"]


def cards_by_title(page: str) -> dict[str, str]:
    title = re.compile(r'class="content-card__title[^"]*"><a [^>]*>([^<]+)</a>')
    return {title.search(card)[1]: card for card in page.split('class="content-card ')[1:]}


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_every_tab_renders_for_the_busy_learner(busy, tab, headers):
    response = busy.get(f"/dashboard?tab={tab}", headers=headers)
    page = html(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert ("<html" in page) is not bool(headers)
    assert re.search(rf'href="/dashboard\?tab={tab}"[^>]*aria-current="page"', page)
    assert "could not be loaded" not in page
    shown = panel(page)
    if tab == "bookmarkFolders" and headers:
        mark = 'hx-get="/bookmarks"'  # htmx loads the folders right after the panel
    else:
        mark = TAB_MARKS[tab]
    assert mark in shown, tab  # the tab's own list, not an empty state or the summary


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_every_tab_tells_a_new_learner_what_to_do_next(client, login, tab, headers):
    login(client, "new")
    response = client.get(f"/dashboard?tab={tab}", headers=headers)
    if tab == "bookmarkFolders" and headers:
        # htmx loads the folders by themselves, right after the panel.
        assert 'hx-get="/bookmarks" hx-trigger="load"' in html(response)
        response = client.get("/bookmarks", headers=HX)
    page = html(response)
    assert response.status_code == 200
    text, link = EMPTY[tab]
    assert text in page
    # The empty state's own button (the header and the tabs link to /dashboard too).
    assert f'<a class="button" href="{link}">' in page


def test_completed_lists_completed_items_newest_first_with_certificate(busy):
    page = html(busy.get("/dashboard?tab=completedItems"))
    shown = titles(page)
    assert "Foundations of Leadership" in shown
    assert "Coaching Conversations" not in shown
    assert "Completed on" in page
    assert re.search(r'href="/certificates/[^"]+">Certificate<', page)
    assert "Review" in page
    from datetime import datetime

    dates = [
        datetime.strptime(found, "%b %d, %Y")
        for found in re.findall(r"Completed on ([A-Z][a-z]{2} \d{1,2}, \d{4})", page)
    ]
    assert len(dates) > 2
    assert dates == sorted(dates, reverse=True)


def test_learning_paths_show_milestones_done_of_total(busy):
    whole = html(busy.get("/dashboard?tab=learningPaths"))
    assert 'id="dashboard-panel"' in whole
    page = panel(whole)
    assert '<progress class="progress__bar"' in page
    # Its milestones: "Lead yourself" done (Foundations of Leadership), "Lead others" not.
    card = page.split("New Manager Journey</a>", 1)[1].split("</li>", 1)[0]
    assert "1 of 2 milestones done" in card


def test_learning_paths_milestones_come_in_one_request_for_htmx(api_cost, busy):
    panel = html(busy.get("/dashboard?tab=learningPaths", headers=HX))
    loader = re.search(r'hx-get="(/dashboard/milestones\?[^"]+)"', panel)
    assert loader
    response, stats = api_cost(busy, loader.group(1).replace("&amp;", "&"), HX)
    assert stats["requests"] == 1
    assert re.search(r'id="milestones-[^"]+" hx-swap-oob="true"', html(response))
    assert re.search(r"\d+ of \d+ milestones? done", html(response))


def test_events_come_upcoming_first_with_time_place_and_calendar_file(busy):
    page = panel(html(busy.get("/dashboard?tab=eventItems")))
    cards = page.split('class="content-card ')[1:]
    assert cards
    past = ["Past</span>" in card for card in cards]
    assert past == sorted(past), "upcoming events come before past ones"
    # Soonest first (the instance's own order is by display order, which differs).
    title = re.compile(r'class="content-card__title[^"]*"><a [^>]*>([^<]+)</a>')
    order = [title.search(card)[1] for card in cards]
    assert order[: past.count(False)] == ["Leadership Offsite London", "Compliance Update 2026"]
    assert "Add to calendar" in page
    link = re.search(r'href="(/calendar/events/[^"]+\.ics)"', page).group(1)
    assert busy.get(link).status_code == 200
    # Each event's time, in full, and the place of the one held somewhere.
    extras = re.findall(r'<div class="card-extras">(.*?)</div>', page, re.S)
    assert len(extras) == len(cards)
    assert all(re.search(r"\b20\d\d\b.*\d{1,2}:\d{2}", extra, re.S) for extra in extras)
    assert "Where: Northwind London" in page


def test_bookmarks_tab_shows_the_folders(busy, sandbox):
    folders = [
        row["name"]
        for row in sandbox.store.query(
            "SELECT name FROM bookmark_folders f JOIN users u ON u.id = f.user_id "
            "WHERE u.email = 'avery@example.com'"
        )
    ]
    page = html(busy.get("/dashboard?tab=bookmarkFolders"))
    assert 'id="bookmarks"' in page
    for name in folders:
        assert name.replace("&", "&amp;") in page


def test_certificates_tab_has_the_rows_of_the_certificates_page(busy):
    tab = html(busy.get("/dashboard?tab=certificates"))
    page = html(busy.get("/certificates"))
    tab_rows = re.findall(r'<tr class="certificate-row[^"]*">.*?</tr>', tab, re.S)
    page_rows = re.findall(r'<tr class="certificate-row[^"]*">.*?</tr>', page, re.S)
    assert tab_rows and tab_rows == page_rows


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_costs_at_most_two_requests_and_one_for_htmx(api_cost, busy, tab):
    _response, stats = api_cost(busy, f"/dashboard?tab={tab}")
    assert stats["requests"] <= 2, (tab, stats)
    _response, stats = api_cost(busy, f"/dashboard?tab={tab}", HX)
    assert stats["requests"] == 1, (tab, stats)


def test_tab_counts_follow_the_search_box(busy):
    everything = html(busy.get("/dashboard"))
    searched = html(busy.get("/dashboard?q=Coaching"))

    def count(page, tab):
        found = re.search(rf'tab={tab}[^"]*"[^>]*>[^<]*<span class="tabs__count">(\d+)', page)
        return int(found.group(1)) if found else None

    assert count(everything, "completedItems") > count(searched, "completedItems")
