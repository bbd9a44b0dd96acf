"""Fragments kept for their inputs: a card drawn again only when something it shows changed, and
never with another learner's form token."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from portal.fragments import TOKEN_PLACEHOLDER, FragmentCache
from tests.conftest import csrf_from

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
