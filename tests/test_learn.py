"""Content pages and the cards that lead to them, against the sandbox: states, progress, one
primary action, upstream cost, instance links, hidden content."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape

HX = {"HX-Request": "true"}
BUSY_STARTED = "Coaching Conversations"
LEARNING_PATH = "New Manager Journey"
_HREF = re.compile(r'\b(?:href|src)="([^"]*)"')


def html(response) -> str:
    return response.get_data(as_text=True)


def content_row(sandbox, title: str):
    return sandbox.store.one("SELECT * FROM content WHERE title = ?", title)


def user_id(sandbox, who: str = "busy") -> str:
    from portal.sandbox.demo import DEMO_LOGINS

    return sandbox.store.scalar("SELECT id FROM users WHERE email = ?", DEMO_LOGINS[who][0])


def cards_of(page: str) -> list[str]:
    return re.findall(r'<li class="content-card .*?</li>', page, re.S)


def card_for(page: str, title: str) -> str:
    found = [c for c in cards_of(page) if f">{title}</a>" in c]
    assert found, f"no card for {title}"
    return found[0]


def started_ids(page: str) -> list[str]:
    return re.findall(r'data-progress-for="([^"]+)"', page)


# -- cost ------------------------------------------------------------------------------------------


def test_a_full_dashboard_render_costs_at_most_two_upstream_requests(api_cost, busy):
    for path in ("/dashboard", "/dashboard?tab=learningPaths", "/dashboard?tab=eventItems"):
        response, stats = api_cost(busy, path)
        assert response.status_code == 200
        assert stats["requests"] <= 2, (path, stats)
    page = html(busy.get("/dashboard"))
    assert started_ids(page), "the busy learner has started courses"
    assert "complete</span>" in page  # their percents came with the page


@pytest.mark.parametrize(
    ("path", "headers", "started"),
    [
        ("/dashboard?tab=learningPaths", HX, False),
        ("/dashboard?q=a", {**HX, "HX-Target": "content-list"}, True),
        ("/dashboard/recent?limit=25", HX, True),
        ("/catalog?page=1", HX, True),
    ],
    ids=["tab", "search", "recent", "catalog"],
)
def test_an_htmx_partial_costs_one_upstream_request_and_its_progress_one_more(
    api_cost, busy, path, headers, started
):
    response, stats = api_cost(busy, path, headers)
    assert response.status_code == 200
    assert stats["requests"] == 1, stats
    loader = re.search(r'hx-get="(/learn/progress\?[^"]+)"', html(response))
    # The lists holding the busy learner's started courses ask for their percents after.
    assert bool(loader) or not started
    if loader:
        url = loader.group(1).replace("&amp;", "&")
        progress, stats = api_cost(busy, url, HX)
        assert progress.status_code == 200
        assert stats["requests"] == 1, stats
        assert "hx-swap-oob" in html(progress)


def test_the_progress_of_many_courses_is_one_aliased_request(api_cost, busy, sandbox):
    ids = [row["id"] for row in sandbox.store.query("SELECT id FROM content WHERE kind = 'course'")]
    query = "&".join(f"id={ident}" for ident in ids[:20])
    response, stats = api_cost(busy, f"/learn/progress?{query}", HX)
    assert response.status_code == 200
    assert stats["requests"] == 1
    assert html(response).count("hx-swap-oob") == min(20, len(ids))


# -- cards -----------------------------------------------------------------------------------------


def test_every_card_has_one_primary_action_and_links_to_its_page(busy):
    page = html(busy.get("/dashboard"))
    found = cards_of(page)
    assert found
    for card in found:
        assert card.count("content-card__action ") <= 1, card
        title = re.search(r'class="content-card__title[^"]*"><a href="([^"]+)"', card)
        assert title and title.group(1).startswith("/learn/"), card


def test_started_courses_say_continue_with_a_percent_and_a_progress_bar(busy):
    page = html(busy.get("/dashboard"))
    started = [c for c in cards_of(page) if "content-card--started" in c]
    assert started
    with_percent = [c for c in started if "<progress" in c]
    assert with_percent
    for card in with_percent:
        assert ">Continue<" in card
        assert re.search(r'<progress class="progress__bar" max="100" value="\d+" aria-label=', card)
        assert re.search(r"\d+% complete", card)


def test_completed_items_say_review(busy):
    page = html(busy.get("/dashboard"))
    completed = [c for c in cards_of(page) if "content-card--completed" in c]
    with_action = [c for c in completed if "content-card__action " in c]
    assert with_action
    assert all(">Review<" in c for c in with_action)


# -- content pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_course_page_shows_state_progress_awards_and_the_next_step(busy, sandbox, headers):
    row = content_row(sandbox, BUSY_STARTED)
    response = busy.get(f"/learn/course/{row['id']}", headers=headers)
    page = html(response)
    assert response.status_code == 200
    assert ("<html" in page) == (not headers)
    assert "HX-Request" in response.headers["Vary"]
    assert f">{BUSY_STARTED}</h1>" in page
    assert "Comments and discussions" in page
    assert "What completing it earns" in page
    assert re.search(r'<ul class="content-page__awards">.*?CPE Credit', page, re.S)
    assert page.count("content-card__action ") == 1
    assert re.search(r"\d+% complete", page)


def busy_webinar(sandbox, upcoming: bool):
    """A webinar the busy learner holds, not ended yet (or ended)."""
    from portal.sandbox.store import iso

    row = sandbox.store.one(
        "SELECT c.* FROM content c JOIN enrollments e ON e.content_id = c.id "
        "WHERE c.kind = 'webinar' AND e.user_id = ? AND c.join_url IS NOT NULL "
        f"AND c.course_end_date {'>' if upcoming else '<'} ? ORDER BY c.course_start_date",
        user_id(sandbox),
        iso(datetime.now(UTC)),
    )
    assert row is not None, "the demo data has no such webinar"
    return row


def test_an_upcoming_webinar_page_joins_straight_into_the_session(busy, sandbox):
    row = busy_webinar(sandbox, upcoming=True)
    page = html(busy.get(f"/learn/webinar/{row['id']}"))
    action = re.search(r'class="[^"]*content-card__action--join[^"]*" href="([^"]+)"', page)
    assert action and action.group(1) == row["join_url"]
    assert action.group(1).startswith("https://meet.example.com/")


def test_a_past_webinar_page_offers_no_join_link(busy, sandbox):
    row = busy_webinar(sandbox, upcoming=False)
    response = busy.get(f"/learn/webinar/{row['id']}")
    page = html(response)
    assert response.status_code == 200
    assert str(escape(row["title"])) in page  # the webinar's own page, drawn
    assert row["join_url"] not in page


def test_a_learning_path_page_shows_its_milestones_and_which_are_done(busy, sandbox):
    row = content_row(sandbox, LEARNING_PATH)
    response = busy.get(f"/learn/learning-path/{row['slug']}")
    page = html(response)
    assert response.status_code == 200
    assert f">{LEARNING_PATH}</h1>" in page
    assert "Milestones" in page
    done = re.search(r"(\d+) of (\d+) milestones done", page)
    assert done and int(done.group(2)) > 0
    assert page.count("milestone--done") == int(done.group(1))


def test_a_paid_course_page_offers_to_get_it_with_credits(busy, sandbox):
    row = content_row(sandbox, "Machine Learning Basics")
    page = html(busy.get(f"/learn/course/{row['id']}"))
    assert page.count("content-card__action ") == 1
    assert f'href="/catalog/{row["id"]}/redeem">Get with credits<' in page


@pytest.mark.parametrize(
    "path",
    [
        "/learn/course/00000000-0000-0000-0000-000000000000",
        "/learn/spaceship/abc",
        "/learn/course/%3Cscript%3E",
        "/learn/learning-path/no-such-path",
    ],
)
def test_unknown_content_is_a_404_page(busy, path):
    response = busy.get(path)
    assert response.status_code == 404
    assert "<html" in html(response)


def test_content_pages_need_a_signed_in_learner(client, sandbox):
    row = content_row(sandbox, BUSY_STARTED)
    response = client.get(f"/learn/course/{row['id']}")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_a_hidden_course_opens_by_its_link_and_appears_in_no_list(busy, sandbox):
    hidden = sandbox.store.one("SELECT * FROM content WHERE visibility = 2 AND kind = 'course'")
    if hidden is None:
        pytest.fail("the demo data has no hidden course shared by link")
    page = busy.get(f"/learn/course/{hidden['id']}")
    assert page.status_code == 200
    assert f">{hidden['title']}</h1>" in html(page)
    for path in ("/dashboard", "/catalog", "/dashboard/recent?limit=25"):
        listing = busy.get(path)
        assert listing.status_code == 200, path
        assert 'class="content-card' in html(listing), path  # a list was drawn
        assert hidden["title"] not in html(listing), path


# -- instance links --------------------------------------------------------------------------------


def instance_links(page: str, portal_host: str = "localhost") -> list[str]:
    """Absolute link targets off the portal. Assets are left out: the sandbox answers their URLs
    absolute, as an instance's CDN would, so they rightly do not move with TI_PUBLIC_URL."""
    return [
        url.replace("&amp;", "&")
        for url in re.findall(r'\bhref="([^"]*)"', page)
        if url.startswith(("http://", "https://"))
        and portal_host not in url
        and "/assets/" not in url
    ]


def test_switching_ti_public_url_changes_every_instance_link(sandbox, portal_config, login):
    from portal import create_app

    public = "https://learn.northwind.example"
    app = create_app(portal_config(sandbox.url, TI_PUBLIC_URL=public))
    client = app.test_client()
    login(client, "busy")
    row = content_row(sandbox, BUSY_STARTED)
    seen = []
    for path in ("/dashboard", "/catalog", f"/learn/course/{row['id']}", "/certificates"):
        page = html(client.get(path))
        links = instance_links(page)
        assert not [url for url in links if url.startswith(sandbox.url)], path
        seen += links
    assert len([url for url in seen if url.startswith(public + "/")]) > 5


@pytest.mark.parametrize("hostile", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_hostile_urls_planted_in_the_sandbox_are_never_links(busy, sandbox, hostile):
    sandbox.store.execute("UPDATE content SET asset = ?", hostile)
    row = content_row(sandbox, BUSY_STARTED)
    for path in ("/dashboard", "/catalog", f"/learn/course/{row['id']}"):
        response = busy.get(path)
        page = html(response)
        assert response.status_code == 200, path
        assert 'class="content-card' in page or f">{BUSY_STARTED}</h1>" in page, path
        assert not [u for u in _HREF.findall(page) if u.lower().startswith(("javascript", "data"))]


def test_absolute_urls_from_the_api_still_pass(busy, sandbox):
    sandbox.store.execute(
        "UPDATE content SET asset = ? WHERE title = ?",
        "https://cdn.example/cover.png",
        BUSY_STARTED,
    )
    page = html(busy.get("/dashboard"))
    assert 'src="https://cdn.example/cover.png"' in page
