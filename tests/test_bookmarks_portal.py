"""Bookmarks: folders and their bookmarks; bookmark from a card; create, rename, delete folders."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_from

HX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/bookmarks"}


def text(response) -> str:
    return response.get_data(as_text=True)


def user_id(sandbox, email="avery@example.com") -> str:
    return sandbox.store.scalar("SELECT id FROM users WHERE email = ?", email)


def bookmarked(sandbox, email="avery@example.com") -> dict:
    """content title -> folder name of every bookmark the learner has, from the store."""
    rows = sandbox.store.query(
        "SELECT c.title, f.name FROM bookmarks b JOIN content c ON c.id = b.content_id "
        "JOIN bookmark_folders f ON f.id = b.folder_id WHERE b.user_id = ?",
        user_id(sandbox, email),
    )
    return {row["title"]: row["name"] for row in rows}


def folders(sandbox, email="avery@example.com") -> dict:
    rows = sandbox.store.query(
        "SELECT id, name FROM bookmark_folders WHERE user_id = ?", user_id(sandbox, email)
    )
    return {row["name"]: row["id"] for row in rows}


def content_id(sandbox, title) -> str:
    return sandbox.store.scalar("SELECT id FROM content WHERE title = ?", title)


def token(client, path="/bookmarks") -> str:
    return csrf_from(text(client.get(path)))


def bookmark(client, sandbox, title="Foundations of Leadership") -> None:
    data = {"csrf_token": token(client), "content_id": content_id(sandbox, title)}
    assert client.post("/bookmarks", data=data).status_code == 303


def new_folder(client, name) -> None:
    data = {"csrf_token": token(client), "name": name}
    assert client.post("/bookmarks/folders", data=data).status_code == 303


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_bookmarks_page_lists_folders_and_bookmarks(busy, sandbox, headers):
    bookmark(busy, sandbox)
    new_folder(busy, "Later")
    response = busy.get("/bookmarks", headers=headers)
    html = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert ("<html" in html) is not bool(headers)
    assert bookmarked(sandbox)
    for title in bookmarked(sandbox):
        assert title.replace("&", "&amp;") in html
    assert "Later" in html
    assert 'id="bookmarks"' in html


def test_a_new_learner_is_told_how_to_bookmark(client, login):
    login(client, "new")
    html = text(client.get("/bookmarks"))
    assert "No bookmarks yet" in html
    assert "Use “Bookmark” on any item" in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_bookmark_an_item_and_remove_it_again(client, login, sandbox, headers):
    login(client, "new")
    course = content_id(sandbox, "Foundations of Leadership")
    data = {"csrf_token": token(client), "content_id": course, "next": "/dashboard"}
    response = client.post("/bookmarks", data=data, headers=headers)
    if headers:
        assert response.status_code == 200
        assert "Remove bookmark" in text(response)
        assert response.headers["HX-Trigger"] == "bookmarks-changed"
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/dashboard")
    assert "Foundations of Leadership" in bookmarked(sandbox, "noah@example.com")
    page = text(client.get("/bookmarks"))
    found = re.search(r'action="/bookmarks/([^/"]+)/remove"', page).group(1)
    response = client.post(
        f"/bookmarks/{found}/remove",
        data={"csrf_token": token(client), "content_id": course, "next": "/bookmarks"},
        headers=headers,
    )
    assert response.status_code == (200 if headers else 303)
    assert bookmarked(sandbox, "noah@example.com") == {}


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_create_rename_and_delete_a_folder(busy, sandbox, headers):
    response = busy.post(
        "/bookmarks/folders",
        data={"csrf_token": token(busy), "name": "  Read   later ", "next": "/bookmarks"},
        headers=headers,
    )
    assert response.status_code == (200 if headers else 303)
    assert "Read later" in folders(sandbox)
    folder = folders(sandbox)["Read later"]
    response = busy.post(
        f"/bookmarks/folders/{folder}/rename",
        data={"csrf_token": token(busy), "name": "Weekend", "next": "/bookmarks"},
        headers=headers,
    )
    assert response.status_code == (200 if headers else 303)
    assert "Weekend" in folders(sandbox)
    asked = busy.post(
        f"/bookmarks/folders/{folder}/delete",
        data={"csrf_token": token(busy), "next": "/bookmarks"},
        headers=headers,
    )
    assert asked.status_code == 200
    assert "Yes, delete the folder" in text(asked)
    assert "Weekend" in folders(sandbox)
    response = busy.post(
        f"/bookmarks/folders/{folder}/delete",
        data={"csrf_token": token(busy), "confirm": "1", "next": "/bookmarks"},
        headers=headers,
    )
    assert response.status_code == (200 if headers else 303)
    assert "Weekend" not in folders(sandbox)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_bad_folder_name_is_422_with_the_input_kept(busy, sandbox, headers):
    new_folder(busy, "Later")
    existing = "Later"
    response = busy.post(
        "/bookmarks/folders",
        data={"csrf_token": token(busy), "name": existing.upper(), "next": "/bookmarks"},
        headers=headers,
    )
    assert response.status_code == 422
    html = text(response)
    assert f'value="{existing.upper()}"' in html
    assert "field__error" in html
    response = busy.post(
        "/bookmarks/folders",
        data={"csrf_token": token(busy), "name": "x" * 101, "next": "/bookmarks"},
        headers=headers,
    )
    assert response.status_code == 422
    assert "At most 100 characters." in text(response)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_move_a_bookmark_to_another_folder(busy, sandbox, headers):
    bookmark(busy, sandbox)
    new_folder(busy, "Later")
    page = text(busy.get("/bookmarks"))
    found = re.search(r'action="/bookmarks/([^/"]+)/move"', page).group(1)
    target = folders(sandbox)["Later"]
    response = busy.post(
        f"/bookmarks/{found}/move",
        data={"csrf_token": token(busy), "folder_id": target, "next": "/bookmarks"},
        headers=headers,
    )
    assert response.status_code == (200 if headers else 303)
    assert bookmarked(sandbox)["Foundations of Leadership"] == "Later"


def test_bookmark_actions_need_the_csrf_token(busy, sandbox):
    course = content_id(sandbox, "Foundations of Leadership")
    assert busy.post("/bookmarks", data={"content_id": course}).status_code == 400
    assert "Foundations of Leadership" not in bookmarked(sandbox)
    assert busy.post("/bookmarks/folders", data={"name": "X"}).status_code in (400, 422)
    assert "X" not in folders(sandbox)


def test_the_next_page_never_leaves_the_site(client, login, sandbox):
    login(client, "new")
    course = content_id(sandbox, "Foundations of Leadership")
    data = {"csrf_token": token(client), "content_id": course, "next": "//evil.example/x"}
    response = client.post("/bookmarks", data=data)
    assert response.status_code == 303
    assert "evil" not in response.headers["Location"]


def test_bookmark_from_the_content_page_and_back(client, login, sandbox):
    login(client, "new")
    course = content_id(sandbox, "Foundations of Leadership")
    page = text(client.get(f"/learn/course/{course}"))
    assert re.search(r'<form class="bookmark-toggle" method="post" action="/bookmarks"', page)
    response = client.post(
        "/bookmarks",
        data={
            "csrf_token": csrf_from(page),
            "content_id": course,
            "next": f"/learn/course/{course}",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/learn/course/{course}")
    again = text(client.get(f"/learn/course/{course}"))
    assert re.search(r'action="/bookmarks/[^/"]+/remove"', again)
    assert "Foundations of Leadership" in bookmarked(sandbox, "noah@example.com")


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("http://localhost/dashboard?sort=title&q=a", "/dashboard?sort=title&amp;q=a"),
        ("http://elsewhere.example/dashboard?sort=title", "/dashboard?q=a"),
    ],
    ids=["this-site", "another-host"],
)
def test_a_card_bookmarked_from_an_htmx_list_returns_to_the_page_shown(busy, current, expected):
    """The page the learner sees (HX-Current-URL) is where a bookmark form sends them back,
    not the list fragment's URL; a page on another host is never taken for it."""
    headers = {"HX-Request": "true", "HX-Target": "content-list", "HX-Current-URL": current}
    response = busy.get("/dashboard?q=a", headers=headers)
    assert response.status_code == 200
    nexts = set(re.findall(r'name="next" value="([^"]*)"', text(response)))
    assert nexts == {expected}
