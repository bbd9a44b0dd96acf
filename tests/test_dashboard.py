"""Dashboard views against the sandbox: page and htmx fragments, bad query strings, actions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.dashboard.state import GROUP_LABELS
from portal.sandbox.store import iso
from tests.conftest import announced

HX = {"HX-Request": "true"}
BUSY_STARTED = "Coaching Conversations"
ARCHIVED_REINSTATABLE = "Giving Feedback That Lands"
ARCHIVED_OTHER = "Handling Difficult Customers"
WAITLISTED = "Quarterly Data Clinic"
LEARNING_PATH = "New Manager Journey"


def html(response) -> str:
    return response.get_data(as_text=True)


def panel(page: str) -> str:
    return page.split('id="dashboard-panel"', 1)[1]


def count_of(page: str, kind: str) -> int:
    # Tab links carry the search and sort along (&amp;q=...).
    rest = "[^\"]*"
    href = f"/dashboard\\?tab={kind}{rest}"
    if kind == "contentItems":
        href = f"/dashboard(?:\\?{rest})?"
    found = re.search(rf'href="{href}"[^>]*>[^<]*<span class="tabs__count">(\d+)</span>', page)
    assert found, f"no tab for {kind}"
    return int(found.group(1))


def content_id(sandbox, title: str) -> str:
    return sandbox.store.scalar("SELECT id FROM content WHERE title = ?", title)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


# -- the page and its tabs -----------------------------------------------------------------------


def test_dashboard_needs_a_signed_in_learner(client):
    response = client.get("/dashboard")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_dashboard_page_greets_and_lists_groups_in_the_api_order(busy):
    response = busy.get("/dashboard")
    page = html(response)
    assert response.status_code == 200
    assert "<html" in page
    assert "Welcome back, Avery." in page
    assert "HX-Request" in response.headers["Vary"]
    kinds = re.findall(r'<a href="/dashboard(?:\?tab=(\w+))?" hx-get', page)
    kinds = [k or "contentItems" for k in kinds]
    assert kinds[:3] == ["contentItems", "completedItems", "certificates"]
    assert "archivedContentItems" in kinds and "waitlistedCourses" in kinds
    assert re.search(r'href="/dashboard" hx-get="/dashboard"[^>]*aria-current="page"', page)
    assert BUSY_STARTED in page
    assert 'id="recent-content"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-sync="this:replace"' in page


def test_first_render_costs_at_most_two_upstream_requests(api_cost, busy):
    # The page's document, then the percents of its started courses in one aliased request.
    response, stats = api_cost(busy, "/dashboard")
    assert response.status_code == 200
    assert stats["requests"] <= 2, stats
    for tab in ("waitlistedCourses", "archivedContentItems", "learningPaths"):
        response, stats = api_cost(busy, f"/dashboard?tab={tab}")
        assert stats["requests"] <= 2, (tab, stats)
        response, stats = api_cost(busy, f"/dashboard?tab={tab}", HX)
        assert stats["requests"] == 1, (tab, stats)
    _, stats = api_cost(busy, "/dashboard?q=sql", {**HX, "HX-Target": "content-list"})
    assert stats["requests"] == 1


PROGRESS_BAR = re.compile(r'<progress [^>]*value="(\d+)"[^>]*aria-label="Progress: ([^"]+)"')


def test_the_next_render_asks_for_the_percents_along_with_the_lists(api_cost, busy, sandbox):
    first, stats = api_cost(busy, "/dashboard")
    assert stats["requests"] == 2, stats  # nothing known yet: the percents come second
    bars = PROGRESS_BAR.findall(html(first))
    assert bars
    again, stats = api_cost(busy, "/dashboard")
    assert stats["requests"] == 1, stats
    assert PROGRESS_BAR.findall(html(again)) == bars
    # A course started since the last render is asked for on its own, in a second request.
    cards = html(again).split('<li class="content-card ')
    course = next(c for c in cards if "content-card--not-started" in c and ">Course<" in c)
    title = re.search(r'<a href="[^"]*">([^<]+)</a>', course).group(1)
    sandbox.store.execute(
        "UPDATE enrollments SET status = 'started', progress = 30 WHERE content_id = ?",
        content_id(sandbox, title),
    )
    started, stats = api_cost(busy, "/dashboard")
    assert stats["requests"] == 2, stats
    assert ("30", title) in PROGRESS_BAR.findall(html(started))
    _, stats = api_cost(busy, "/dashboard")
    assert stats["requests"] == 1, stats


def test_an_unknown_id_in_the_hint_leaves_the_page_whole(api_cost, busy):
    bars = PROGRESS_BAR.findall(html(busy.get("/dashboard")))
    with busy.session_transaction() as session:
        session["progress_hint"] = ["no-such-course", *session["progress_hint"]]
    response, stats = api_cost(busy, "/dashboard")
    assert response.status_code == 200
    assert stats["requests"] == 1, stats
    assert PROGRESS_BAR.findall(html(response)) == bars


def test_an_overdue_item_says_so_on_its_card(busy, sandbox):
    title = "Coaching Conversations"
    sandbox.store.execute(
        "UPDATE enrollments SET due_date = ? WHERE content_id = ?",
        "2020-03-01T00:00:00Z",
        content_id(sandbox, title),
    )
    page = html(busy.get(f"/dashboard?q={title}"))
    card = page.split('id="content-list"', 1)[1].split("</li>", 1)[0]
    assert '<span class="badge badge--danger">Overdue</span>' in card
    assert "Due Mar 1, 2020" in card


def test_tab_labels_come_from_the_instance_translations(client, login):
    login(client, "multilingual")
    page = html(client.get("/dashboard"))
    # Camille reads French: the instance's own labels win over ours.
    assert "Mes contenus" in page
    assert "Archivés" in page


def test_a_label_the_instance_changes_replaces_the_kept_tabs(app, client, login, sandbox):
    import json

    from portal.api.cache import forget_instance_data

    login(client, "multilingual")
    assert "Mes contenus" in html(client.get("/dashboard"))
    row = sandbox.store.one(
        "SELECT lang, translations FROM translations WHERE namespace = 'lms' AND lang LIKE 'fr%'"
    )
    labels = {**json.loads(row["translations"]), "dashboard.contentItems": "Mon parcours"}
    sandbox.store.execute(
        "UPDATE translations SET translations = ? WHERE namespace = 'lms' AND lang = ?",
        json.dumps(labels),
        row["lang"],
    )
    with app.app_context():
        forget_instance_data()
    page = html(client.get("/dashboard"))
    assert "Mon parcours" in page and "Mes contenus" not in page


def test_tab_switch_for_htmx_is_the_panel_with_tabs_out_of_band(busy):
    response = busy.get("/dashboard?tab=archivedContentItems", headers=HX)
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]
    assert page.lstrip().startswith('<div id="dashboard-panel"')
    assert re.search(r'<nav id="content-groups"[^>]* hx-swap-oob="true"', page)
    assert re.search(r'tab=archivedContentItems"[^>]*aria-current="page"', page)
    assert ARCHIVED_REINSTATABLE in page
    assert 'id="recent-content"' not in page


def test_learning_paths_tab_lists_only_learning_paths(busy):
    page = panel(html(busy.get("/dashboard?tab=learningPaths")))
    assert LEARNING_PATH in page
    assert BUSY_STARTED not in page
    # Its title opens its content page, where the milestones and awards are.
    assert re.search(rf'<a href="/learn/learning-path/[\w-]+">{LEARNING_PATH}</a>', page)


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_search_filters_the_list_and_keeps_the_words(busy, headers):
    response = busy.get("/dashboard?q=Coaching", headers=headers)
    page = panel(html(response))
    assert BUSY_STARTED in page
    assert "Python for Analysts" not in page
    assert "1 item matches “Coaching”." in page


def test_search_for_htmx_targeting_the_list_is_the_list_and_the_counts(busy):
    response = busy.get(
        "/dashboard?q=python&sort=title&dir=desc", headers={**HX, "HX-Target": "content-list"}
    )
    page = html(response)
    assert page.lstrip().startswith('<section id="content-list"')
    assert "Python for Analysts" in page
    # The tab counts follow the search box: the tabs come along out of band.
    assert '<nav id="content-groups" class="content-groups"' in page
    assert 'hx-swap-oob="true"' in page
    assert "dashboard-panel" not in page.split("<nav", 1)[0]


def test_sort_by_title_in_both_directions(busy):
    ascending = html(busy.get("/dashboard?sort=title&dir=asc", headers=HX))
    descending = html(busy.get("/dashboard?sort=title&dir=desc", headers=HX))
    titles_up = re.findall(r'class="content-card__title[^"]*"><a [^>]*>([^<]+)<', ascending)
    titles_down = re.findall(r'class="content-card__title[^"]*"><a [^>]*>([^<]+)<', descending)
    assert len(titles_up) > 3
    assert titles_up == sorted(titles_up, key=str.lower)
    assert titles_down == sorted(titles_down, key=str.lower, reverse=True)
    # A page of the list each: the descending one starts where the ascending order ends.
    assert titles_down[0].lower() >= titles_up[-1].lower()
    assert titles_down[0] != titles_up[0]


CARD_TITLE = re.compile(r'class="content-card__title[^"]*"><a [^>]*>([^<]+)<')


def list_titles(page: str) -> list[str]:
    return CARD_TITLE.findall(page.split('id="content-list"', 1)[1])


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_long_list_comes_in_pages_of_twelve_with_previous_and_next(busy, headers):
    headers = {**headers, "HX-Target": "content-list"} if headers else headers
    first = html(busy.get("/dashboard?sort=title", headers=headers))
    total = int(re.search(r"1–12 of (\d+) items", first).group(1))
    assert total > 12
    assert len(list_titles(first)) == 12
    assert 'rel="next" href="/dashboard?sort=title&amp;page=2"' in first
    assert 'rel="prev"' not in first
    second = busy.get("/dashboard?sort=title&page=2", headers=headers)
    assert second.status_code == 200
    page = html(second)
    shown = list_titles(page)
    assert shown and not set(shown) & set(list_titles(first))
    assert f"13–{12 + len(shown)} of {total} items" in page
    assert 'rel="prev" href="/dashboard?sort=title"' in page
    if headers:
        assert second.headers["HX-Push-Url"] == "/dashboard?sort=title&page=2"
        assert 'id="dashboard-panel"' not in page


def test_a_page_past_the_end_shows_the_last_page(busy):
    page = html(busy.get("/dashboard?page=999"))
    assert 'rel="next"' not in page
    assert re.search(r"Page (\d+) of \1\b", page)
    assert list_titles(page)


def test_an_action_on_a_later_page_comes_back_to_that_page(busy):
    page = html(busy.get("/dashboard?page=2"))
    form = page.split('id="content-list"', 1)[1].split('class="action-form"', 1)[1]
    assert '<input type="hidden" name="page" value="2">' in form.split("</form>", 1)[0]


def test_kind_filter_keeps_only_that_kind(busy):
    page = panel(html(busy.get("/dashboard?kind=learningPath")))
    assert LEARNING_PATH in page
    assert BUSY_STARTED not in page
    assert '<option value="learningPath" selected>' in page


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("tab=nonsense", "That tab does not exist"),
        ("kind=spaceship", "That kind of content is unknown"),
        ("sort=shoeSize", "That sort order is unknown"),
        ("dir=sideways", "That sort direction is unknown"),
        ("q=" + "x" * 201, "The search was too long"),
        ("tab=learningPaths&kind=course", "That kind of content is unknown"),
        ("page=second", "That page number does not exist"),
        ("page=0", "That page number does not exist"),
    ],
)
def test_bad_query_strings_show_a_notice_and_the_default_view(busy, headers, query, notice):
    response = busy.get(f"/dashboard?{query}", headers=headers)
    page = html(response)
    assert response.status_code == 200
    assert notice in page
    if headers:  # said at once through the page's live region
        assert any(region == "alert" and notice in words for region, words in announced(page))
    assert 'class="content-card ' in panel(page)  # the list itself, not recent content


def test_titles_are_text_and_unsafe_links_are_not_links(busy, sandbox):
    ident = content_id(sandbox, BUSY_STARTED)
    sandbox.store.execute(
        "UPDATE content SET title = ?, slug = ?, asset = ? WHERE id = ?",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "javascript:alert(1)",
        ident,
    )
    page = html(busy.get("/dashboard"))
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript:' not in page
    assert 'src="javascript:' not in page  # the cover image the instance named


def test_dates_follow_the_learners_locale(client, login, sandbox):
    email = "camille@example.com"
    user = sandbox.store.scalar("SELECT id FROM users WHERE email = ?", email)
    ident = sandbox.store.scalar(
        "SELECT content_id FROM enrollments WHERE user_id = ? AND archived_at IS NULL", user
    )
    sandbox.store.execute(
        "UPDATE enrollments SET due_date = ? WHERE user_id = ? AND content_id = ?",
        "2031-03-05T12:00:00.000Z",
        user,
        ident,
    )
    login(client, "multilingual")
    page = html(client.get("/dashboard"))
    assert "5 mars 2031" in page


def test_expiring_certificate_banner_links_to_recertify(busy, sandbox):
    user = sandbox.store.scalar("SELECT id FROM users WHERE email = 'avery@example.com'")
    cert = sandbox.store.one(
        "SELECT certificates.id, content.title FROM certificates JOIN content "
        "ON content.id = certificates.resource_id WHERE user_id = ? AND deleted = 0 "
        "ORDER BY issued_at DESC LIMIT 1",
        user,
    )
    soon = iso(datetime.now(UTC) + timedelta(days=10))
    sandbox.store.execute(
        "UPDATE certificates SET expiration_date = ? WHERE id = ?", soon, cert["id"]
    )
    page = html(busy.get("/dashboard"))
    assert 'class="expiring-banner' in page
    banner = page.split('class="expiring-banner')[1].split("</section>")[0]
    assert cert["title"] in banner
    assert "Recertify" in banner
    assert "in 9 days" in banner or "in 10 days" in banner


# -- recent content and course details --------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_recent_content_shows_at_most_the_limit(busy, headers):
    response = busy.get("/dashboard/recent?limit=25", headers=headers)
    page = html(response)
    assert response.status_code == 200
    assert ("<html" in page) == (not headers)
    assert "HX-Request" in response.headers["Vary"]
    # All the learner's recent items (18 in the demo data), not the page's first few.
    assert page.count('<li class="content-card ') == 18
    assert "Show more recent content" not in page


def test_recent_content_ignores_a_limit_out_of_range(busy):
    page = html(busy.get("/dashboard/recent?limit=500", headers=HX))
    assert page.count('<li class="content-card ') == 6
    assert "Show more recent content" in page


def test_a_failing_widget_shows_its_error_with_a_retry_while_the_page_stands(busy, sandbox):
    sandbox.server.stop()
    fragment = html(busy.get("/dashboard/recent", headers=HX))
    assert 'class="widget-error"' in fragment
    assert 'hx-get="/dashboard/recent?limit=6"' in fragment
    assert "Try again" in fragment
    response = busy.get("/dashboard")
    page = html(response)
    assert response.status_code == 200
    assert "Welcome back, Avery." in page
    assert page.count('class="widget-error"') >= 2


def test_the_old_details_link_leads_to_the_content_page(busy, sandbox):
    ident = content_id(sandbox, BUSY_STARTED)
    response = busy.get(f"/dashboard/courses/{ident}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/learn/course/{ident}"


# -- actions --------------------------------------------------------------------------------------


def test_unenroll_without_confirm_asks_first_then_leaves_with_303(busy, sandbox):
    page = html(busy.get("/dashboard?tab=waitlistedCourses"))
    before = count_of(page, "waitlistedCourses")
    ident = content_id(sandbox, WAITLISTED)
    form = {"csrf_token": csrf(page), "tab": "waitlistedCourses", "title": WAITLISTED}
    asked = busy.post(f"/dashboard/waitlist/{ident}/unenroll", data=form)
    assert asked.status_code == 200
    assert "Yes, leave waitlist" in html(asked)
    assert "<html" in html(asked)
    assert sandbox.store.scalar("SELECT COUNT(*) FROM waitlist WHERE content_id = ?", ident) == 1

    done = busy.post(f"/dashboard/waitlist/{ident}/unenroll", data={**form, "confirm": "1"})
    assert done.status_code == 303
    assert done.headers["Location"] == "/dashboard?tab=waitlistedCourses"
    page = html(busy.get(done.headers["Location"]))
    assert f"You left the waitlist for “{WAITLISTED}”." in page
    assert count_of(page, "waitlistedCourses") == before - 1
    assert WAITLISTED not in panel(page)


def test_unenroll_with_htmx_confirms_inline_then_updates_list_and_counts(busy, sandbox):
    page = html(busy.get("/dashboard?tab=waitlistedCourses"))
    before = count_of(page, "waitlistedCourses")
    ident = content_id(sandbox, WAITLISTED)
    form = {"csrf_token": csrf(page), "tab": "waitlistedCourses", "title": WAITLISTED}
    asked = html(busy.post(f"/dashboard/waitlist/{ident}/unenroll", data=form, headers=HX))
    assert "<html" not in asked
    assert 'class="inline-confirm"' in asked
    assert 'hx-target="#dashboard-panel"' in asked
    done = busy.post(
        f"/dashboard/waitlist/{ident}/unenroll", data={**form, "confirm": "1"}, headers=HX
    )
    fragment = html(done)
    assert done.status_code == 200
    assert "<html" not in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert count_of(fragment, "waitlistedCourses") == before - 1
    assert f"You left the waitlist for “{WAITLISTED}”." in fragment
    assert not re.search(rf"<a [^>]*>{WAITLISTED}</a>", fragment)  # gone from the list
    assert not sandbox.store.scalar("SELECT COUNT(*) FROM waitlist WHERE content_id = ?", ident)


def test_archive_then_reinstate_moves_a_course_between_groups(busy, sandbox):
    page = html(busy.get("/dashboard?q=Coaching"))
    archived_before = count_of(page, "archivedContentItems")
    ident = content_id(sandbox, BUSY_STARTED)
    form = {"csrf_token": csrf(page), "q": "Coaching", "item_kind": "course", "title": BUSY_STARTED}
    asked = busy.post(f"/dashboard/content/{ident}/archive", data=form)
    assert asked.status_code == 200 and "Yes, archive" in html(asked)
    done = busy.post(f"/dashboard/content/{ident}/archive", data={**form, "confirm": "1"})
    assert done.status_code == 303
    assert done.headers["Location"] == "/dashboard?q=Coaching"
    page = html(busy.get(done.headers["Location"]))
    assert count_of(page, "archivedContentItems") == archived_before + 1
    assert "No content here yet" in page or "Nothing matches" in page

    fragment = html(
        busy.post(
            f"/dashboard/archived/{ident}/reinstate",
            data={
                "csrf_token": csrf(page),
                "tab": "archivedContentItems",
                "q": "Coaching",  # the counts follow the search
                "item_kind": "course",
                "title": BUSY_STARTED,
            },
            headers=HX,
        )
    )
    assert count_of(fragment, "archivedContentItems") == archived_before
    assert f"“{BUSY_STARTED}” is back in your content." in fragment
    assert "hx-swap-oob" in fragment


def test_reinstate_only_offered_where_reinstatable(busy, sandbox):
    final = content_id(sandbox, ARCHIVED_OTHER)
    sandbox.store.execute("UPDATE enrollments SET reinstatable = 0 WHERE content_id = ?", final)
    page = html(busy.get("/dashboard?tab=archivedContentItems"))
    assert ARCHIVED_OTHER in page
    reinstate_final = f"/dashboard/archived/{final}/reinstate"
    reinstate_ok = f"/dashboard/archived/{content_id(sandbox, ARCHIVED_REINSTATABLE)}/reinstate"
    assert reinstate_ok in page
    assert reinstate_final not in page
    assert "Can no longer be reinstated" in page
    # Sent anyway, the refusal is a message, not an error page.
    done = busy.post(
        reinstate_final,
        data={"csrf_token": csrf(page), "item_kind": "course", "tab": "archivedContentItems"},
    )
    assert done.status_code == 303
    assert "could not be reinstated" in html(busy.get(done.headers["Location"]))


def test_actions_need_a_csrf_token(busy, sandbox):
    ident = content_id(sandbox, WAITLISTED)
    response = busy.post(f"/dashboard/waitlist/{ident}/unenroll", data={"confirm": "1"})
    assert response.status_code == 400
    assert sandbox.store.scalar("SELECT COUNT(*) FROM waitlist WHERE content_id = ?", ident) == 1


def test_actions_are_post_only(busy, sandbox):
    ident = content_id(sandbox, WAITLISTED)
    assert busy.get(f"/dashboard/waitlist/{ident}/unenroll").status_code == 405


def test_only_http_and_relative_urls_become_links(app):
    from portal.dashboard.present import content_item

    with app.test_request_context("/dashboard"):
        unsafe = content_item(
            {
                "id": "1",
                "title": "T",
                "url": "javascript:alert(1)",
                "asset": "data:image/png;base64,xx",
                "kind": "course",
            }
        )
        safe = content_item({"id": "2", "title": "T", "url": "/learn/t", "kind": "course"})
    assert unsafe["url"] is None and unsafe["image"] is None
    assert safe["url"] == app.config["TI_PUBLIC_URL"] + "/learn/t"


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_revoked_session_goes_back_to_login_with_next(busy, sandbox, headers):
    sandbox.store.execute("UPDATE tokens SET revoked = 1")
    if headers:
        headers = {**headers, "HX-Current-URL": "http://localhost/dashboard?tab=completedItems"}
    response = busy.get("/dashboard?tab=waitlistedCourses", headers=headers)
    if headers:
        assert "/login" in response.headers["HX-Redirect"]
        # Back to the page the learner was on, not the fragment asked for.
        assert "next=/dashboard?tab%3DcompletedItems" in response.headers["HX-Redirect"]
    else:
        assert response.status_code in (302, 303)
        assert "/login" in response.headers["Location"]
        assert "next=" in response.headers["Location"]


@pytest.mark.parametrize("tab", list(GROUP_LABELS))
@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_every_tab_stands_with_the_instance_down(busy, sandbox, tab, headers):
    sandbox.server.stop()
    response = busy.get(f"/dashboard?tab={tab}", headers=headers)
    assert response.status_code == 200
    shown = panel(html(response))
    assert 'class="widget-error"' in shown


def test_an_htmx_view_from_a_page_address_that_is_no_url_still_answers(busy):
    response = busy.get(
        "/dashboard?tab=completedItems", headers={**HX, "HX-Current-URL": "http://[::1"}
    )
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/dashboard?tab=completedItems"
