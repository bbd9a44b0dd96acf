"""After an htmx swap: what the answer focuses (`autofocus`) and says (the page's live region,
out of band); a whole page does neither. Each view plain and with HX-Request."""

from __future__ import annotations

import re

import pytest

from portal.sandbox.demo import DEMO_CODES
from tests.conftest import announced, csrf_from

HX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/dashboard"}
AUTOFOCUS = re.compile(r"<[a-z0-9]+\b[^<>]*\sautofocus\b[^<>]*>")


def text(response) -> str:
    return response.get_data(as_text=True)


def focused(html: str) -> list[str]:
    """The opening tags that carry `autofocus`."""
    return AUTOFOCUS.findall(html)


def after_focus(html: str) -> str:
    """What follows the one element the answer focuses."""
    tags = focused(html)
    assert len(tags) == 1, tags
    return html.split(tags[0], 1)[1]


def content_id(sandbox, title: str) -> str:
    return sandbox.store.scalar("SELECT id FROM content WHERE title = ?", title)


@pytest.mark.parametrize("path", ["/dashboard", "/account", "/bookmarks", "/account/codes"])
def test_a_page_starts_at_its_top_with_an_empty_live_region(busy, path):
    page = text(busy.get(path))
    assert page.count('id="live-status"') == 1 and page.count('id="live-alert"') == 1
    assert announced(page) == [] and "hx-swap-oob" not in page
    assert focused(page) == []


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_tab_switch_focuses_the_panel_heading_and_says_the_count(busy, headers):
    html = text(busy.get("/dashboard?tab=learningPaths", headers=headers))
    count = re.search(r'<p class="content-list__count">\s*(.+?)\s*</p>', html).group(1)
    assert re.fullmatch(r"\d+ items?\.", count)
    if headers:
        assert focused(html) == ['<h2 id="dashboard-panel-heading" tabindex="-1" autofocus>']
        assert announced(html) == [("status", count)]
    else:
        assert focused(html) == [] and announced(html) == []


@pytest.mark.parametrize("trigger", ["pager-next", "content-search"])
def test_the_last_page_focuses_previous_page_only_when_the_pager_asked(busy, trigger):
    listing = {**HX, "HX-Target": "content-list", "HX-Trigger": trigger}
    last = re.search(r"Page 1 of (\d+)", text(busy.get("/dashboard"))).group(1)
    html = text(busy.get(f"/dashboard?page={last}", headers=listing))
    assert 'id="pager-next"' not in html
    previous = [tag for tag in focused(html) if 'id="pager-previous"' in tag]
    assert len(previous) == (1 if trigger == "pager-next" else 0)
    assert len(focused(html)) == len(previous)
    count = re.search(r'<p class="content-list__count">\s*(.+?)\s*</p>', html).group(1)
    assert count.startswith("13–") and ("status", count) in announced(html)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_cancelling_an_archive_gives_the_focus_back_to_its_button(busy, sandbox, headers):
    item = content_id(sandbox, "Coaching Conversations")
    token = csrf_from(text(busy.get("/dashboard")))
    response = busy.post(
        f"/dashboard/content/{item}/archive",
        data={"csrf_token": token, "confirm": "1", "cancel": "1", "title": "x"},
        headers=headers,
    )
    archived = "SELECT COUNT(*) FROM enrollments WHERE content_id = ? AND archived_at IS NOT NULL"
    assert sandbox.store.scalar(archived, item) == 0
    if not headers:
        assert response.status_code == 303 and response.headers["Location"] == "/dashboard"
        return
    assert focused(text(response))[0].startswith('<button type="submit"')
    archive = after_focus(text(response)).split("</button>")[0]
    assert archive == 'Archive<span class="visually-hidden">: Coaching Conversations</span>'


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_cards_bookmark_says_what_it_did_and_keeps_the_focus(busy, sandbox, headers):
    title = "Leading Remote Teams"
    token = csrf_from(text(busy.get("/dashboard")))
    data = {"csrf_token": token, "content_id": content_id(sandbox, title), "title": title}
    response = busy.post("/bookmarks", data={**data, "next": "/dashboard"}, headers=headers)
    if not headers:
        assert response.status_code == 303
        assert f"“{title}” is bookmarked." in text(busy.get("/dashboard"))
        return
    html = text(response)
    assert announced(html) == [("status", f"“{title}” is bookmarked.")]
    assert len(focused(html)) == 1 and "bookmark-toggle__button" in focused(html)[0]
    assert f'Remove bookmark<span class="visually-hidden">: {title}' in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_new_folder_takes_the_focus(busy, sandbox, headers):
    token = csrf_from(text(busy.get("/bookmarks")))
    response = busy.post(
        "/bookmarks/folders", data={"csrf_token": token, "name": "Later"}, headers=headers
    )
    made = sandbox.store.scalar("SELECT id FROM bookmark_folders WHERE name = 'Later'")
    if not headers:
        assert response.status_code == 303
        return
    html = text(response)
    assert len(focused(html)) == 1  # on the dashboard's Bookmarks tab, under its h3
    assert focused(html)[0].startswith(f'<h4 id="folder-{made}-name"')
    assert announced(html) == [("status", "The folder “Later” was created.")]


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_refused_folder_name_is_said_at_once_and_its_field_focused(busy, headers):
    token = csrf_from(text(busy.get("/bookmarks")))
    data = {"csrf_token": token, "name": " "}
    response = busy.post("/bookmarks/folders", data=data, headers=headers)
    html = text(response)
    assert response.status_code == 422
    if headers:
        assert [region for region, _ in announced(html)] == ["alert"]
        assert len(focused(html)) == 1 and 'name="name"' in focused(html)[0]
    else:
        assert focused(html) == [] and announced(html) == []


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_cancelling_a_folder_delete_gives_the_focus_back_to_delete(busy, sandbox, headers):
    token = csrf_from(text(busy.get("/bookmarks")))
    busy.post("/bookmarks/folders", data={"csrf_token": token, "name": "Keep me"})
    folder = sandbox.store.scalar("SELECT id FROM bookmark_folders WHERE name = 'Keep me'")
    response = busy.post(
        f"/bookmarks/folders/{folder}/delete",
        data={"csrf_token": token, "confirm": "1", "cancel": "1", "next": "/bookmarks"},
        headers=headers,
    )
    assert sandbox.store.scalar("SELECT COUNT(*) FROM bookmark_folders WHERE id = ?", folder)
    if not headers:
        assert response.status_code == 303 and response.headers["Location"] == "/bookmarks"
        return
    assert after_focus(text(response)).startswith("Delete folder")


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_cancelling_a_feed_reset_gives_the_focus_back_to_reset(busy, headers):
    token = csrf_from(text(busy.get("/account")))
    busy.post("/calendar/feed", data={"csrf_token": token})
    address = re.search(r'id="calendar-feed-url"[^>]*value="([^"]+)"', text(busy.get("/account")))
    response = busy.post(
        "/calendar/feed/reset",
        data={"csrf_token": token, "confirm": "1", "cancel": "1"},
        headers=headers,
    )
    assert address.group(1) in text(busy.get("/account"))  # not reset
    if not headers:
        assert response.status_code == 303
        return
    assert after_focus(text(response)).startswith("Reset the address</button>")


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_setting_up_the_feed_focuses_its_address(busy, headers):
    token = csrf_from(text(busy.get("/account")))
    response = busy.post("/calendar/feed", data={"csrf_token": token}, headers=headers)
    if not headers:
        assert response.status_code == 303
        return
    html = text(response)
    assert len(focused(html)) == 1 and 'id="calendar-feed-url"' in focused(html)[0]
    assert [region for region, _ in announced(html)] == ["status"]


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_valid_code_focuses_redeem_and_a_refused_one_its_field(busy, headers):
    valid, used = DEMO_CODES["redemption"]["valid"], DEMO_CODES["redemption"]["used"]
    token = csrf_from(text(busy.get("/account/codes")))
    for code, tag, region in ((valid, "<button", "status"), (used, "<input ", "alert")):
        data = {"csrf_token": token, "kind": "redemption", "code": code}
        html = text(busy.post("/account/codes", data=data, headers=headers))
        if headers:
            assert len(focused(html)) == 1 and focused(html)[0].startswith(tag)
            assert tag == "<button" or 'id="code"' in focused(html)[0]
            assert [said for said, _ in announced(html)] == [region]
        else:
            assert focused(html) == [] and announced(html) == []


def test_more_recent_content_focuses_the_first_new_item(busy):
    html = text(busy.get("/dashboard/recent?limit=25", headers=HX))
    titles = re.findall(r'<h3 class="content-card__title content-item__title">(.*?)</h3>', html)
    assert len(titles) > 6
    assert " autofocus>" in titles[6] and all(" autofocus" not in t for t in titles[:6])
    assert announced(html) == [("status", f"{len(titles)} recent items shown.")]


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["plain", "htmx"])
def test_joins_code_check_is_said_and_leaves_the_focus_in_the_field(client, app, headers):
    app.config["PORTAL_REGISTRATION"] = True
    token = csrf_from(text(client.get("/join")))
    data = {"csrf_token": token, "code": DEMO_CODES["registration"]["valid"]}
    html = text(client.post("/join/code", data=data, headers=headers))
    if headers:
        assert announced(html) == [("status", "This code is valid.")] and focused(html) == []
    else:
        assert announced(html) == []


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/catalog?query=data", r"\d+ items? match(es)? “data” on this page\..*"),
        ("/certificates?query=a", r"\d+ certificates? match(es)? “a”\."),
        ("/badges?limit=10", r"Top 10 learners by .+"),
    ],
)
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_search_or_filter_says_how_many_it_found(busy, path, said, headers):
    html = text(busy.get(path, headers=headers))
    if headers:
        [(region, words)] = announced(html)
        assert region == "status" and re.fullmatch(said, words)
    else:
        assert announced(html) == []
