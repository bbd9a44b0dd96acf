"""The content card: state from availabilityStatus, exactly one primary action, safe links, and
the batched progress document."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, print_ast, validate

REFERENCE_SCHEMA = Path(__file__).resolve().parents[2] / "shared/reference/ti-helium-schema.graphql"
COURSE = {"id": "c1", "title": "Intro", "slug": "intro", "kind": "course", "url": "/learn/intro"}


def card(app, raw, **options):
    from portal.cards import card

    with app.test_request_context("/dashboard"):
        return card(raw, **options)


@pytest.mark.parametrize(
    ("raw", "options", "action", "label", "state"),
    [
        ({"availabilityStatus": "not-started"}, {}, "start", "Start", "not-started"),
        ({"availabilityStatus": "started"}, {}, "continue", "Continue", "started"),
        ({"availabilityStatus": "completed"}, {}, "review", "Review", "completed"),
        ({"availabilityStatus": None}, {}, "start", "Start", "not-started"),
        (
            {"kind": "webinar", "courseStartDate": "2030-05-04T10:00:00Z"},
            {},
            "join",
            "Join on May 4, 2030",
            "not-started",
        ),
        (
            {"kind": "webinar", "availabilityStatus": "completed"},
            {},
            "review",
            "Review",
            "completed",
        ),
        ({}, {"buy_url": "/catalog/c1/redeem"}, "buy", "Get with credits", "not-started"),
    ],
    ids=["not-started", "started", "completed", "unknown", "event", "past-event", "paid"],
)
def test_each_state_has_exactly_one_primary_action(app, raw, options, action, label, state):
    found = card(app, {**COURSE, **raw}, **options)
    assert found["state"] == state
    assert found["action"]["kind"] == action
    assert found["action"]["label"] == label
    if action != "buy":
        assert found["action"]["url"] == app.config["TI_PUBLIC_URL"] + "/learn/intro"


def test_titles_lead_to_the_portal_page_and_actions_to_the_instance(app):
    course = card(app, COURSE)
    path = card(app, {**COURSE, "kind": "learningPath", "slug": "path-one"})
    assert course["page_url"] == "/learn/course/c1"
    assert path["page_url"] == "/learn/learning-path/path-one"
    assert course["action"]["url"].startswith(app.config["TI_PUBLIC_URL"])


@pytest.mark.parametrize(
    "hostile",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " JavaScript:x", "//\\x"],
)
def test_unsafe_urls_never_become_links_or_actions(app, hostile):
    found = card(app, {**COURSE, "url": hostile, "asset": hostile})
    assert found["url"] is None and found["image"] is None
    assert found["action"] is None


def test_absolute_urls_pass_as_they_are(app):
    found = card(app, {**COURSE, "url": "https://elsewhere.example/learn/intro"})
    assert found["action"]["url"] == "https://elsewhere.example/learn/intro"


def test_the_card_macro_renders_one_primary_action_and_an_accessible_progress_bar(app):
    from flask import render_template_string

    from portal.cards import card, set_percent

    template = '{% import "_card.html" as cards %}<ul>{{ cards.content_card(item) }}</ul>'
    with app.test_request_context("/dashboard"):
        item = card({**COURSE, "availabilityStatus": "started"})
        set_percent(item, 42)
        html = render_template_string(template, item=item)
    assert html.count("content-card__action ") == 1
    assert ">Continue<" in html
    assert 'max="100" value="42"' in html
    assert 'aria-label="Progress: Intro"' in html
    assert "42% complete" in html
    assert '<a href="/learn/course/c1">Intro</a>' in html


def test_an_event_card_shows_its_session_and_when_it_meets_a_card_its_ribbon_and_rating(app):
    from flask import render_template_string

    from portal.cards import card

    template = '{% import "_card.html" as cards %}<ul>{{ cards.content_card(item) }}</ul>'
    event = {
        **COURSE,
        "kind": "inPersonEvent",
        "sessionTitle": "Planning <the> year",
        "meetingStartDate": "2030-05-04T09:00:00Z",
        "courseStartDate": "2030-05-03T00:00:00Z",
        "rating": 92,
        "ribbon": {"label": "Last seats"},
    }
    with app.test_request_context("/dashboard"):
        html = render_template_string(template, item=card(event))
        plain = render_template_string(template, item=card({**COURSE, "sessionTitle": "x"}))
    assert '<span class="badge badge--ribbon">Last seats</span>' in html
    assert "Rated 4.6 out of 5" in html
    # The meeting's time, not the event's first day; the title as text, never markup.
    assert "Session: Planning &lt;the&gt; year, " in html
    assert 'content-card__date">Sat, May 4, 2030, 9:00\u202fAM<' in html
    # A course has no session, and no ribbon or rating when the instance gives none.
    assert "Session:" not in plain and "badge--ribbon" not in plain and "Rated" not in plain


@pytest.mark.parametrize(
    ("rating", "shown"), [(92, "4.6"), (100, "5.0"), (130, "5.0"), (10, "0.5"), (0, None),
                          (None, None), (True, None), ("90", None)],
)  # fmt: skip
def test_a_rating_in_percent_is_shown_as_stars_out_of_five(app, rating, shown):
    from portal.formats import stars

    with app.test_request_context("/dashboard"):
        assert stars(rating) == shown


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        ("2020-01-01T00:00:00Z", "started", True),
        ("2020-01-01", "not-started", True),
        ("2020-01-01T00:00:00Z", "completed", False),
        ("2999-01-01T00:00:00Z", "started", False),
        (None, "started", False),
        ("soon", "started", False),
    ],
)
def test_an_item_past_its_due_date_and_not_completed_is_overdue(app, due, status, overdue):
    found = card(app, {**COURSE, "currentUserDueDate": due, "availabilityStatus": status})
    assert found["overdue"] is overdue


def test_the_progress_batch_is_one_aliased_copy_per_id_and_validates():
    from portal.api import documents

    batch = documents.batched("UserCourseProgress", 3)
    text = print_ast(batch.request.document)
    assert text.count("UserCourseProgress(id: $id_") == 3
    assert "item0: UserCourseProgress(id: $id_0)" in text
    assert "item2: UserCourseProgress(id: $id_2)" in text
    assert batch.points == 3
    if REFERENCE_SCHEMA.exists():
        schema = build_schema(REFERENCE_SCHEMA.read_text(encoding="utf-8"))
        assert not validate(schema, parse(text))


def test_a_batch_rides_along_with_a_page_document_and_validates():
    from portal.api import documents

    page = documents.get("DashboardPage")
    combined = documents.with_batch("DashboardPage", "UserCourseProgress", 2)
    text = combined.text
    assert combined.name == "DashboardPage"
    assert text.count("query DashboardPage(") == 1
    assert "item1: UserCourseProgress(id: $id_1)" in text
    assert "$id_0: ID!" in text and "$withItems: Boolean!" in text
    assert text.count("fragment ContentCardFields on Content") == 1
    assert combined.points == page.points + 2
    assert combined.optional_fields == {"item0", "item1"}
    assert documents.with_batch("DashboardPage", "UserCourseProgress", 0) is page
    if REFERENCE_SCHEMA.exists():
        schema = build_schema(REFERENCE_SCHEMA.read_text(encoding="utf-8"))
        assert not validate(schema, parse(text))
    with pytest.raises(documents.DocumentError):
        documents.with_batch("Logout", "UserCourseProgress", 1)


def test_only_one_field_queries_can_be_batched():
    from portal.api import documents

    with pytest.raises(documents.DocumentError):
        documents.batched("DashboardPage", 2)
    with pytest.raises(documents.DocumentError):
        documents.batched("Logout", 2)
