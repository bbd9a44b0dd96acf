"""Fragments kept for their inputs: a card drawn again only when something it shows changed, and
never with another learner's form token."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from flask import render_template_string

from portal import cards, events
from portal.certificate_rows import certificate_status
from portal.dashboard.present import expiring_certificates
from portal.fragments import TOKEN_PLACEHOLDER, FragmentCache
from tests.conftest import announced, csrf_from
from tests.test_security import style_sources

CARDS = re.compile(r'<li class="content-card .*?</li>', re.S)


def html(response) -> str:
    return response.get_data(as_text=True)


def cards_of(page: str) -> list[str]:
    return CARDS.findall(page.split('id="content-list"', 1)[1])


def without_tokens(cards: list[str]) -> list[str]:
    # A token is signed with the time: two pages a second apart carry different ones.
    return [re.sub(r'name="csrf_token" value="[^"]+"', "", card) for card in cards]


def store(app) -> FragmentCache:
    return app.extensions["fragments"]


def test_a_card_shown_again_is_not_drawn_again(app, busy):
    first = html(busy.get("/dashboard"))
    drawn = store(app).misses
    assert drawn >= 12 and store(app).hits == 0
    again = html(busy.get("/dashboard"))
    assert store(app).misses == drawn
    assert store(app).hits >= 12
    assert without_tokens(cards_of(again)) == without_tokens(cards_of(first))
    assert TOKEN_PLACEHOLDER not in again


def test_each_learner_gets_their_own_form_token_in_a_kept_card(app, busy, login):
    busy.get("/dashboard")
    other = app.test_client()
    login(other, "busy")
    page = html(other.get("/dashboard"))
    assert store(app).hits >= 12  # the same cards, drawn for the first session
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert tokens == {csrf_from(page)}
    # The token works: the kept card's bookmark form posts for this learner.
    form = cards_of(page)[0]
    content_id = re.search(r'name="content_id" value="([^"]+)"', form).group(1)
    done = other.post(
        "/bookmarks",
        data={"csrf_token": tokens.pop(), "content_id": content_id, "title": "x", "next": "/"},
    )
    assert done.status_code in (302, 303)


def test_a_change_to_what_a_card_shows_draws_it_again(app, busy, sandbox):
    first = cards_of(html(busy.get("/dashboard")))[0]
    title = re.search(r'<a href="[^"]*">([^<]+)</a>', first).group(1)
    sandbox.store.execute("UPDATE content SET title = ? WHERE title = ?", "Renamed course", title)
    page = html(busy.get("/dashboard"))
    assert ">Renamed course<" in cards_of(page)[0] and f">{title}<" not in page


def test_a_bookmark_added_shows_on_the_kept_card(app, busy):
    card = cards_of(html(busy.get("/dashboard")))[0]
    assert ">Bookmark<" in card
    content_id = re.search(r'name="content_id" value="([^"]+)"', card).group(1)
    busy.post(
        "/bookmarks",
        data={
            "csrf_token": csrf_from(card),
            "content_id": content_id,
            "title": "x",
            "next": "/dashboard",
        },
    )
    assert ">Remove bookmark<" in cards_of(html(busy.get("/dashboard")))[0]


def test_another_language_is_another_fragment(app, client, login):
    login(client, "multilingual")
    page = html(client.get("/dashboard"))  # in French, the learner's language
    assert ">Ajouter aux favoris<" in cards_of(page)[0]
    chosen = client.post("/language", data={"lang": "en", "csrf_token": csrf_from(page)})
    assert chosen.status_code == 303
    assert ">Bookmark<" in cards_of(html(client.get("/dashboard")))[0]


def test_the_store_keeps_at_most_its_size_the_least_recent_dropped():
    kept = FragmentCache(size=2)
    kept.put(b"a", "A")
    kept.put(b"b", "B")
    assert kept.get(b"a") == "A"  # a is now the most recent
    kept.put(b"c", "C")
    assert len(kept) == 2
    assert kept.get(b"b") is None
    assert kept.get(b"a") == "A" and kept.get(b"c") == "C"


@pytest.mark.parametrize("size", [0, 8])
def test_a_fragment_is_the_same_page_whether_kept_or_not(app, size):
    app.extensions["fragments"] = FragmentCache(size=size)
    template = "{% call fragment('t', n) %}<p>{{ n }} {{ csrf_token() }}</p>{% endcall %}"
    with app.test_request_context("/"):
        first = render_template_string(template, n=1)
        second = render_template_string(template, n=1)
        other = render_template_string(template, n=2)
    assert first == second and ">1 " in first and ">2 " in other
    assert TOKEN_PLACEHOLDER not in first


# -- whole parts of pages: kept while their answer, learner and clock hold ----------------------


def same_page(page: str, token: str) -> str:
    """The page without what differs from session to session: its form token."""
    return page.replace(token, "")


def drawn_templates(app, client, path: str, headers: dict | None = None) -> tuple[str, list]:
    """The page at path, and the names of the templates drawn for it."""
    from flask import template_rendered

    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        return html(client.get(path, headers=headers or {})), names
    finally:
        template_rendered.disconnect(record, app)


def test_a_dashboard_with_the_same_answer_is_not_drawn_again(app, busy, api_cost):
    busy.get("/dashboard")  # the started courses are learnt: the next page asks for them along
    second, drawn = drawn_templates(app, busy, "/dashboard")
    assert "dashboard/index.html" in drawn
    third, drawn = drawn_templates(app, busy, "/dashboard")
    assert drawn == []  # the whole page kept
    token = csrf_from(third)
    assert set(re.findall(r'name="csrf_token" value="([^"]+)"', third)) == {token}
    assert same_page(second, csrf_from(second)) == same_page(third, token)
    response, stats = api_cost(busy, "/dashboard")
    assert response.status_code == 200 and stats["requests"] == 1  # still asked every time


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_a_changed_answer_draws_the_kept_dashboard_again(app, busy, sandbox, headers):
    path = "/dashboard?tab=completedItems"
    for _ in range(2):  # the started courses learnt, then drawn with them
        busy.get(path, headers=headers)
    first, drawn = drawn_templates(app, busy, path, headers)
    assert drawn == []  # kept before the change
    title = re.search(r'class="content-card__title[^"]*"><a href="[^"]*">([^<]+)</a>', first)
    sandbox.store.execute("UPDATE content SET title = ? WHERE title = ?", "Renamed", title[1])
    page = html(busy.get(path, headers=headers))
    assert ">Renamed<" in page and f">{title[1]}<" not in page


def test_a_due_date_that_passes_draws_the_kept_dashboard_again(app, busy, sandbox):
    import time
    from datetime import UTC, datetime, timedelta

    title = "Coaching Conversations"
    due = datetime.now(UTC) + timedelta(seconds=2)
    sandbox.store.execute(
        "UPDATE enrollments SET due_date = ? WHERE content_id = ?",
        due.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        sandbox.store.scalar("SELECT id FROM content WHERE title = ?", title),
    )
    path = f"/dashboard?q={title.replace(' ', '+')}"
    for _ in range(3):
        page, drawn = drawn_templates(app, busy, path)
        assert ">Overdue<" not in page
    assert drawn == []  # kept: the due date has not come
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.2)
    page, drawn = drawn_templates(app, busy, path)
    assert "dashboard/index.html" in drawn
    assert '<span class="badge badge--danger">Overdue</span>' in page


# -- kept pages sent as they were: the same bytes to the same session ---------------------------


def gzipped(client, path: str, headers: dict | None = None, encoding: str = "gzip"):
    """The response at path asked with Accept-Encoding, and its page decompressed."""
    import gzip

    import brotli

    response = client.get(path, headers={"Accept-Encoding": encoding, **(headers or {})})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    unpack = gzip.decompress if encoding == "gzip" else brotli.decompress
    return response, unpack(response.data).decode()


def sent(app):
    return app.extensions["sent_pages"]


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_a_kept_page_is_sent_again_as_it_was_sent(app, busy, headers):
    path = "/dashboard?tab=completedItems"
    busy.get(path, headers=headers)  # the started courses are learnt
    first, page = gzipped(busy, path, headers)
    assert sent(app).hits == 0
    again, page_again = gzipped(busy, path, headers)
    assert sent(app).hits == 1 and again.data == first.data
    assert page_again == page and "content-card" in page
    if headers:
        assert again.headers["HX-Push-Url"] == first.headers["HX-Push-Url"]
    # What it would be drawn as now, nothing kept:
    app.extensions["kept_pages"].clear()
    sent(app).clear()
    assert gzipped(busy, path, headers)[1] == page


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_a_sent_page_goes_to_its_own_session_and_encoding_only(app, busy, login, headers):
    path = "/dashboard?tab=completedItems"
    busy.get(path, headers=headers)
    gzipped(busy, path, headers)
    mine = gzipped(busy, path, headers)[1]
    assert sent(app).hits == 1
    other = app.test_client()
    login(other, "busy")
    other.get(path, headers=headers)
    theirs = gzipped(other, path, headers)[1]
    assert sent(app).hits == 1  # the same learner's page, but with the other session's token
    assert csrf_from(theirs) != csrf_from(mine)
    assert same_page(theirs, csrf_from(theirs)) == same_page(mine, csrf_from(mine))
    assert gzipped(busy, path, headers, encoding="br")[1] == mine
    assert sent(app).hits == 1  # brotli: another body


def test_a_changed_answer_is_not_sent_as_before(app, busy, sandbox):
    busy.get("/dashboard")
    gzipped(busy, "/dashboard")
    first = gzipped(busy, "/dashboard")[1]
    assert sent(app).hits == 1  # sent as before, until the change
    title = re.search(r'class="content-card__title[^"]*"><a href="[^"]*">([^<]+)</a>', first)
    sandbox.store.execute("UPDATE content SET title = ? WHERE title = ?", "Renamed", title[1])
    page = gzipped(busy, "/dashboard")[1]
    assert ">Renamed<" in page and f">{title[1]}<" not in page


def kept_page_calls(app, build, parts=("p",), times: int = 2) -> list:
    """kept_page called `times` times in one request each; what each returned."""
    from portal.fragments import kept_page

    found = []
    for _ in range(times):
        with app.test_request_context("/somewhere"):
            found.append(kept_page("test", parts, build))
    return found


def counting(result, effect=None):
    calls = []

    def build():
        calls.append(1)
        if effect:
            effect()
        return result

    return build, calls


def test_a_kept_page_part_is_drawn_once_for_the_same_parts(app):
    build, calls = counting(("<p>one</p>", {"n": 1}))
    first, second = kept_page_calls(app, build)
    assert first == second == ("<p>one</p>", {"n": 1}) and len(calls) == 1
    kept_page_calls(app, build, parts=("other",), times=1)
    assert len(calls) == 2


def test_a_page_part_is_kept_until_the_first_moment_it_was_drawn_with(app):
    from datetime import UTC, datetime, timedelta

    from portal.fragments import changes_at

    later = counting(("<p>later</p>", None), lambda: changes_at(datetime.now(UTC) + timedelta(1)))
    kept_page_calls(app, later[0], parts=("later",))
    assert len(later[1]) == 1
    passed = counting(("<p>passed</p>", None), lambda: changes_at(datetime.now(UTC)))
    kept_page_calls(app, passed[0], parts=("passed",))
    assert len(passed[1]) == 2


def test_a_page_part_that_asked_the_instance_for_more_is_not_kept(app):
    from portal import api

    asks, calls = counting(("<p>x</p>", None), lambda: api.run_anonymous("InstanceData"))
    kept_page_calls(app, asks, parts=("asks",))
    assert len(calls) == 2  # its answer is not in the key: drawn again
    reads, calls = counting(("<p>x</p>", None), api.stats)
    kept_page_calls(app, reads, parts=("reads",))
    assert len(calls) == 1


def test_a_kept_page_part_carries_each_response_its_own_form_token(app):
    from flask_wtf.csrf import generate_csrf

    from portal.fragments import kept_page

    def build():
        return f'<input name="csrf_token" value="{generate_csrf()}">', None

    tokens = []
    for _ in range(2):
        with app.test_request_context("/somewhere"):
            html_, _extra = kept_page("token", (), build)
            tokens.append(generate_csrf())
            assert html_ == f'<input name="csrf_token" value="{tokens[-1]}">'
    assert tokens[0] != tokens[1]


NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def moment_recorded(app, read) -> datetime | None:
    """The first moment `read()` (something drawn from the clock) said it changes at."""
    from flask import g

    with app.test_request_context("/"):
        read()
        return g.get("_changes_at")


@pytest.mark.parametrize(
    ("what", "read", "moment"),
    [
        (
            "an item due later turns overdue then",
            lambda: cards.is_overdue({"currentUserDueDate": "2026-06-03T00:00:00Z"}, NOW),
            datetime(2026, 6, 3, tzinfo=UTC),
        ),
        (
            "a certificate starts expiring 30 days before it expires",
            lambda: certificate_status({"expirationDate": "2026-09-01T00:00:00Z"}, NOW),
            datetime(2026, 8, 2, tzinfo=UTC),
        ),
        (
            "an expiring certificate expires",
            lambda: certificate_status({"expirationDate": "2026-06-10T00:00:00Z"}, NOW),
            datetime(2026, 6, 10, tzinfo=UTC),
        ),
        (
            "the days left to an expiring certificate count down",
            lambda: expiring_certificates(
                [{"id": "c", "expirationDate": "2026-06-10T00:00:00Z"}], NOW
            ),
            datetime(2026, 6, 2, tzinfo=UTC),  # 8 days 12 h left: 7 days from then
        ),
        (
            "an upcoming event becomes past when it ends",
            lambda: events.events(
                {
                    "UserContentItems": [
                        {"id": "e", "kind": "webinar", "courseStartDate": "2026-06-05T10:00:00Z"}
                    ]
                },
                NOW,
            ),
            datetime(2026, 6, 5, 11, tzinfo=UTC),  # an hour long when it names no end
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_what_reads_the_clock_says_when_it_changes(app, what, read, moment):
    assert moment_recorded(app, read) == moment


def test_what_no_longer_changes_records_no_moment(app):
    assert (
        moment_recorded(app, lambda: cards.is_overdue({"currentUserDueDate": "2020-01-01"})) is None
    )
    completed = {"currentUserDueDate": "2030-01-01", "availabilityStatus": "completed"}
    assert moment_recorded(app, lambda: cards.is_overdue(completed)) is None


def test_a_kept_page_allows_its_style_in_each_response_csp(busy):
    pages = []
    for _ in range(3):
        response = busy.get("/dashboard")
        policy = response.headers["Content-Security-Policy"]
        page = html(response)
        assert style_sources(page) and all(source in policy for source in style_sources(page))
        pages.append(page)
    assert pages[0] == pages[1] == pages[2]  # the same bytes: no nonce, the same signed token


def test_a_session_gets_the_same_signed_form_token_on_every_page(app, busy, login):
    first = csrf_from(html(busy.get("/dashboard")))
    time.sleep(1.1)  # Flask-WTF signs with the time: a second later it would sign differently
    assert csrf_from(html(busy.get("/account"))) == first
    other = app.test_client()
    login(other, "busy")
    assert csrf_from(html(other.get("/dashboard"))) != first


def test_a_form_token_is_signed_afresh_when_tokens_expire(app, busy):
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    first = csrf_from(html(busy.get("/dashboard")))
    time.sleep(1.1)
    assert csrf_from(html(busy.get("/dashboard"))) != first


def test_the_header_follows_the_learner_and_the_language(app, client, login):
    login(client, "busy")
    page = html(client.get("/dashboard"))
    assert "Avery Johnson" in page.split("</header>")[0]
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "new")  # the same page, language and instance: another learner
    page = html(client.get("/dashboard"))
    header = page.split("</header>")[0]
    assert "Noah Patel" in header and "Avery Johnson" not in header
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "multilingual")
    header = html(client.get("/dashboard")).split("</header>")[0]
    assert "Camille Dubois" in header and ">Se déconnecter<" in header


def test_a_flashed_message_shows_once_on_a_kept_dashboard(app, busy):
    for _ in range(3):
        page = html(busy.get("/dashboard"))  # kept from the second on
    card = cards_of(page)[0]
    content_id = re.search(r'name="content_id" value="([^"]+)"', card).group(1)
    busy.post(
        "/bookmarks",
        data={"csrf_token": csrf_from(card), "content_id": content_id, "title": "x", "next": "/"},
    )
    flashed = html(busy.get("/dashboard"))
    assert 'class="flashes"' in flashed
    assert 'class="flashes"' not in html(busy.get("/dashboard"))


EMPTY_REGION = (
    '<div id="live-status" aria-live="polite" aria-atomic="true"></div>\n'
    '    <div id="live-alert" aria-live="assertive" aria-atomic="true"></div>'
)


def test_a_kept_page_never_says_an_earlier_change_again(app, busy):
    hx = {"HX-Request": "true"}
    panel = "/dashboard?tab=archivedContentItems"
    for _ in range(2):  # the panel and the page are kept from the second time on
        html(busy.get(panel, headers=hx))
        page = html(busy.get("/dashboard"))
    assert EMPTY_REGION in page and announced(page) == []
    card = cards_of(page)[0]
    content_id = re.search(r'name="content_id" value="([^"]+)"', card).group(1)
    title = re.search(r'name="title" value="([^"]+)"', card).group(1)
    done = html(
        busy.post(
            f"/dashboard/content/{content_id}/archive",
            data={"csrf_token": csrf_from(card), "confirm": "1", "title": title},
            headers=hx,
        )
    )
    assert ("status", f"“{title}” was archived.") in announced(done)
    for path, headers in ((panel, hx), ("/dashboard", {})):
        again = html(busy.get(path, headers=headers))
        assert "was archived" not in again
    assert EMPTY_REGION in again and announced(again) == []
    assert 'class="flashes"' not in again


def test_a_portal_keeping_no_page_draws_each_dashboard(sandbox, portal_config, login):
    from portal import create_app

    app = create_app(portal_config(sandbox.url, PAGE_CACHE_SIZE=0))
    client = app.test_client()
    login(client, "busy")
    for _ in range(3):
        page, drawn = drawn_templates(app, client, "/dashboard")
        assert "dashboard/index.html" in drawn and "content-card" in page
