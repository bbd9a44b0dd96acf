"""Catalog: browse and search, and getting a paid course with credits after confirming."""

from __future__ import annotations

import re

import pytest

HX = {"HX-Request": "true"}
PAID = "Machine Learning Basics"
OWNED = (
    "SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id "
    "WHERE u.email = ? AND e.content_id = ?"
)


def content_id(sandbox, title: str) -> str:
    return sandbox.store.scalar("SELECT id FROM content WHERE title = ?", title)


def balance(sandbox, email="avery@example.com") -> float:
    return sandbox.store.scalar("SELECT balance FROM users WHERE email = ?", email)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_catalog_requires_login(client):
    response = client.get("/catalog")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_catalog_lists_content_with_kind_and_price(busy):
    response = busy.get("/catalog")
    html = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" in html and 'id="catalog-list"' in html
    assert "Foundations of Leadership" in html
    assert PAID in html
    assert "Price: $49.00" in html
    assert "Get with credits" in html
    assert "Your balance: 120 credits." in html


def test_catalog_htmx_gets_only_the_list(busy):
    response = busy.get("/catalog?query=leader", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="catalog-list"')


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_catalog_search_narrows_the_list(busy, headers):
    html = text(busy.get("/catalog?query=Machine+Learning", headers=headers))
    assert "Machine Learning Basics" in html
    assert "Foundations of Leadership" not in html
    assert "match “Machine Learning”" in html or "matches “Machine Learning”" in html


def test_catalog_search_without_results_shows_empty_state(busy):
    html = text(busy.get("/catalog?query=zzzz-nothing-like-this"))
    assert "Nothing matches your search" in html


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("page=-3", "That page number does not exist"),
        ("page=abc", "That page number does not exist"),
        ("query=" + "x" * 500, "The search was too long"),
    ],
)
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_bad_catalog_query_string_gets_a_notice(busy, query, notice, headers):
    response = busy.get(f"/catalog?{query}", headers=headers)
    assert response.status_code == 200
    assert notice in text(response)


def test_catalog_search_keeps_html_inert(busy):
    html = text(busy.get("/catalog?query=<script>alert(1)</script>"))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_confirm_step_comes_before_spending(busy, sandbox, headers):
    course = content_id(sandbox, PAID)
    response = busy.get(f"/catalog/{course}/redeem", headers=headers)
    html = text(response)
    assert response.status_code == 200
    assert ("<html" in html) == (not headers)
    assert "Spend credits and get the course" in html
    assert balance(sandbox) == 120


# Fixed values: every test process must collect the same test ids.
@pytest.mark.parametrize("bad", ["not-a-uuid", "5f0c2a9e-8d4b-4e61-a3f7-2b9c1d0e6a48"])
def test_unknown_course_gives_404(busy, bad):
    assert busy.get(f"/catalog/{bad}/redeem").status_code == 404


def test_getting_a_paid_course_with_credits(busy, sandbox, csrf_token):
    course = content_id(sandbox, PAID)
    assert sandbox.store.scalar(OWNED, "avery@example.com", course) == 0
    assert PAID not in text(busy.get("/dashboard?q=Machine"))
    token = csrf_token(busy, f"/catalog/{course}/redeem")
    response = busy.post(f"/catalog/{course}/redeem", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/learn/course/{course}"  # its content page
    landing = busy.get(response.headers["Location"], follow_redirects=True)
    assert f"{PAID} is now yours." in text(landing)
    assert f">{PAID}</h1>" in text(landing)
    assert balance(sandbox) < 120
    assert sandbox.store.scalar(OWNED, "avery@example.com", course) == 1
    assert PAID in text(busy.get("/dashboard?q=Machine"))
    # The catalog (through CurrentUser.purchasedCourses) and the account agree.
    html = text(busy.get("/catalog?query=Machine"))
    assert "Yours" in html and "Get with credits" not in html
    amount = re.search(r"Your balance: ([\d.,]+) credits", text(busy.get("/account"))).group(1)
    assert float(amount.replace(",", "")) == balance(sandbox)


def test_getting_a_paid_course_with_htmx_navigates(busy, sandbox, csrf_token):
    course = content_id(sandbox, PAID)
    token = csrf_token(busy, f"/catalog/{course}/redeem")
    response = busy.post(f"/catalog/{course}/redeem", data={"csrf_token": token}, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/learn/course/{course}"
    assert sandbox.store.scalar(OWNED, "avery@example.com", course) == 1


def test_buying_an_owned_course_again_spends_nothing(busy, sandbox, csrf_token):
    course = content_id(sandbox, PAID)
    token = csrf_token(busy, f"/catalog/{course}/redeem")
    busy.post(f"/catalog/{course}/redeem", data={"csrf_token": token})
    left = balance(sandbox)
    response = busy.post(f"/catalog/{course}/redeem", data={"csrf_token": token})
    assert response.status_code == 422
    assert "already yours" in text(response)
    assert balance(sandbox) == left


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_not_enough_credits_says_so_and_spends_nothing(client, login, sandbox, csrf_token, headers):
    sandbox.store.execute("UPDATE users SET balance = 1 WHERE email = ?", "avery@example.com")
    login(client, "busy")
    course = content_id(sandbox, PAID)
    token = csrf_token(client, f"/catalog/{course}/redeem")
    response = client.post(f"/catalog/{course}/redeem", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 422
    assert "You do not have enough credits for this course." in text(response)
    assert balance(sandbox) == 1
    assert sandbox.store.scalar(OWNED, "avery@example.com", course) == 0


def test_spending_without_csrf_token_is_refused(busy, sandbox):
    course = content_id(sandbox, PAID)
    assert busy.post(f"/catalog/{course}/redeem").status_code == 400
    assert balance(sandbox) == 120


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_catalog_shows_an_error_with_retry_when_the_api_is_down(busy, sandbox, headers):
    sandbox.server.stop()
    response = busy.get("/catalog?query=data", headers=headers)
    html = text(response)
    assert response.status_code == 200
    assert "The catalog could not be loaded" in html
    assert 'hx-get="/catalog?query=data"' in html and "Try again" in html


def test_confirm_step_finds_a_course_that_is_not_on_the_searched_page(busy, sandbox):
    course = content_id(sandbox, PAID)
    response = busy.get(f"/catalog/{course}/redeem?query=Leadership")
    assert response.status_code == 200
    assert "Spend credits and get the course" in text(response)


def test_free_content_cannot_be_bought_with_credits(client, login, sandbox, csrf_token):
    login(client, "new")
    course = content_id(sandbox, "Data Storytelling")
    page = client.get(f"/catalog/{course}/redeem")
    assert "This item cannot be bought with credits." in text(page)
    response = client.post(
        f"/catalog/{course}/redeem",
        data={"csrf_token": csrf_token(client, f"/catalog/{course}/redeem")},
    )
    assert response.status_code == 422
    assert "cannot be bought with credits. Nothing was spent." in text(response)


# -- filters and sort ---------------------------------------------------------------------------


def content_kinds(sandbox) -> dict[str, str]:
    """title -> kind of every item in the sandbox's store."""
    return {row["title"]: row["kind"] for row in sandbox.store.query("SELECT * FROM content")}


def catalog_titles(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", title).strip()
        for title in re.findall(r'<h3 class="content-card__title[^"]*">(.*?)</h3>', html, re.S)
    ]


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_catalog_filters_by_content_type(busy, sandbox, headers):
    response = busy.get("/catalog?type=learningPath", headers=headers)
    html = text(response)
    assert response.status_code == 200
    titles = catalog_titles(html)
    kinds = content_kinds(sandbox)
    assert len(titles) > 2
    assert {kinds[title] for title in titles} == {"learningPath"}
    if not headers:
        assert re.search(r'<input type="checkbox" id="catalog-type-learningPath"[^>]*checked', html)


def test_catalog_filters_by_several_types_and_keeps_them_in_page_links(busy, sandbox):
    html = text(busy.get("/catalog?type=course&type=video"))
    kinds = content_kinds(sandbox)
    shown = catalog_titles(html)
    for page in range(2, 5):  # the videos come after the courses
        shown += catalog_titles(text(busy.get(f"/catalog?type=course&type=video&page={page}")))
    assert {kinds[title] for title in shown} == {"course", "video"}
    assert re.search(r'id="catalog-type-course"[^>]*checked', html)
    assert re.search(r'id="catalog-type-video"[^>]*checked', html)
    assert not re.search(r'id="catalog-type-article"[^>]*checked', html)
    links = re.findall(r'href="(/catalog\?[^"]*page=2[^"]*)"', html)
    assert links
    for link in links:
        assert "type=course" in link and "type=video" in link


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_catalog_sorts_by_title(busy, headers):
    titles = catalog_titles(text(busy.get("/catalog?sort=title", headers=headers)))
    assert len(titles) > 2
    assert titles == sorted(titles, key=str.lower)


def test_catalog_sorts_newest_first(busy, sandbox):
    titles = catalog_titles(text(busy.get("/catalog?sort=newest")))
    created = {
        row["title"]: row["created_at"]
        for row in sandbox.store.query("SELECT title, created_at FROM content")
    }
    dates = [created[title] for title in titles if title in created]
    assert len(dates) > 2
    assert dates == sorted(dates, reverse=True)
    assert re.search(r'<option value="newest" selected', text(busy.get("/catalog?sort=newest")))


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("type=spaceship", "An unknown content type was left out of the filter."),
        ("sort=price-ish", "That sort order is unknown, so the best match comes first."),
    ],
)
def test_unknown_filter_values_are_ignored_with_a_notice(busy, query, notice):
    response = busy.get(f"/catalog?{query}")
    assert response.status_code == 200
    assert notice in text(response)


def test_catalog_cards_show_description_and_open_the_content(busy, sandbox):
    html = text(busy.get("/catalog?query=Foundations+of+Leadership"))
    row = sandbox.store.query(
        "SELECT description, slug FROM content WHERE title = 'Foundations of Leadership'"
    )[0]
    assert row["description"] and row["description"][:40] in html.replace("&#39;", "'")
    link = re.search(r'<h3 class="content-card__title[^"]*"><a href="([^"]+)">Foundations', html)
    assert link and link.group(1).startswith("/learn/")


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_catalog_cards_show_the_instance_s_ribbon_and_the_learners_rating(busy, sandbox, headers):
    html = text(busy.get("/catalog?query=Python+for+Analysts", headers=headers))
    card = html.split('class="content-card ', 1)[1].split("</li>", 1)[0]
    assert "Python for Analysts" in card
    assert '<span class="badge badge--ribbon">Popular</span>' in card
    rating = sandbox.store.scalar("SELECT rating FROM content WHERE title = 'Python for Analysts'")
    assert f"Rated {round(rating / 20, 1):.1f} out of 5" in card
    # Nothing rated and no ribbon: neither is drawn.
    html = text(busy.get("/catalog?query=Leadership+Premium+Bundle", headers=headers))
    card = html.split('class="content-card ', 1)[1].split("</li>", 1)[0]
    assert "Leadership Premium Bundle" in card
    assert "badge--ribbon" not in card and "Rated" not in card


def test_catalog_filter_form_works_without_javascript(busy):
    html = text(busy.get("/catalog"))
    form = re.search(
        r'<form class="catalog-search" method="get" action="/catalog"(.*?)</form>', html, re.S
    )
    assert form
    assert 'name="type"' in form.group(1) and 'name="sort"' in form.group(1)
    assert '<button type="submit">' in form.group(1)


def test_a_form_sent_without_javascript_lands_on_the_clean_url(busy):
    response = busy.get("/catalog?query=Machine&sort=&page=")
    assert response.status_code == 302
    assert response.headers["Location"] == "/catalog?query=Machine"
    pushed = busy.get("/catalog?query=Machine&sort=title", headers=HX).headers["HX-Push-Url"]
    assert pushed == "/catalog?query=Machine&sort=title"
