"""Badges and awards: badge board, leaderboard with the learner's position, path totals."""

from __future__ import annotations

import re

import pytest

from portal.badges.present import ICONS, award_type_view, leaderboard

HX = {"HX-Request": "true"}


def busy_rank(sandbox) -> int:
    """Avery's rank by points, computed from the demo data (ties share a rank)."""
    totals = sandbox.store.query(
        "SELECT a.user_id, SUM(a.amount) AS total FROM awards a "
        "JOIN award_types t ON t.id = a.award_type_id WHERE t.is_leaderboard = 1 "
        "GROUP BY a.user_id"
    )
    mine = next(
        row["total"]
        for row in totals
        if row["user_id"]
        == sandbox.store.scalar("SELECT id FROM users WHERE email = 'avery@example.com'")
    )
    return 1 + sum(1 for row in totals if row["total"] > mine)


def test_unknown_award_icon_falls_back_to_a_star_with_its_label():
    view = award_type_view({"id": "a", "label": "Point", "pluralLabel": "Points", "icon": "nope"})
    assert view["icon"] == ICONS["star"]
    assert view["label"] == "Points"


def test_leaderboard_marks_ties_and_the_learner():
    data = {
        "BadgeLeaderboard": {
            "awardType": {"id": "t", "label": "Point", "pluralLabel": "Points"},
            "leaders": [
                {"rank": 1, "total": 9, "user": {"id": "a", "name": "A"}},
                {"rank": 1, "total": 9, "user": {"id": "b", "name": "B"}},
                {"rank": 3, "total": 5, "user": {"id": "me", "name": "Me"}},
            ],
            "currentUserPosition": {"rank": 3, "total": 5, "user": {"id": "me"}},
        }
    }
    ranking = leaderboard(data, None)
    assert [row["tied"] for row in ranking["rows"]] == [True, True, False]
    assert [row["is_me"] for row in ranking["rows"]] == [False, False, True]
    assert ranking["in_top"]


def test_badge_board_shows_award_types_totals_and_badges(busy):
    response = busy.get("/badges")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Points" in html
    assert '<span class="award-total">185</span>' in html  # Avery's points
    assert "Centurion" in html  # earned at 100
    assert "Double Century" in html and "15 to go" in html  # unearned at 200
    assert 'aria-hidden="true"' in html  # icons are decorative, the label says it
    assert "HX-Request" in response.headers["Vary"]


def test_leaderboard_fragment_for_htmx(busy):
    response = busy.get("/badges?limit=25", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="badge-leaderboard"')
    assert "Centurion" not in html  # the board is not part of the fragment


def test_leaderboard_shows_position_outside_the_top(busy, sandbox):
    rank = busy_rank(sandbox)
    assert rank > 5, "the demo learner must be outside the top 5 for this test"
    html = busy.get("/badges?limit=5").get_data(as_text=True)
    assert f"Your position: #{rank}" in html
    assert 'aria-current="true"' not in html
    assert html.count("<tr aria-current") == 0


def test_leaderboard_highlights_the_learner_in_the_top(busy, sandbox):
    rank = busy_rank(sandbox)
    assert rank <= 50
    html = busy.get("/badges?limit=50").get_data(as_text=True)
    row = re.search(r'<tr aria-current="true"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "Avery Johnson" in row and str(rank) in row
    assert "Your position:" not in html


def test_tied_learners_share_a_rank(busy):
    html = busy.get("/badges?limit=5").get_data(as_text=True)
    assert html.count("(tie)") >= 2


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("limit", ["7", "banana", "-5", "9999999999999999999999"])
def test_invalid_limit_gets_a_notice_and_the_default(busy, limit, headers):
    response = busy.get(f"/badges?limit={limit}", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The leaderboard can show 5, 10, 25 or 50 learners; showing 10." in html
    assert "Top 10 learners" in html


def path_slug(sandbox) -> str:
    """A learning path holding courses in which Avery earned CPE credits."""
    return sandbox.store.scalar(
        "SELECT p.slug FROM content p JOIN learning_path_items i ON i.path_id = p.id "
        "JOIN awards a ON a.resource_id = i.content_id "
        "JOIN award_types t ON t.id = a.award_type_id AND t.plural_label = 'CPE Credits' "
        "WHERE a.user_id = (SELECT id FROM users WHERE email = 'avery@example.com') "
        "GROUP BY p.slug ORDER BY COUNT(*) DESC LIMIT 1"
    )


@pytest.mark.parametrize("headers", [{}, HX])
def test_learning_path_award_totals(busy, sandbox, headers):
    slug = path_slug(sandbox)
    assert slug
    response = busy.get(f"/badges/learning-paths/{slug}", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("<html" in html) is not bool(headers)
    assert 'id="learning-path-awards"' in html
    assert "CPE Credits" in html
    # The sums, from the store: the path's total and each course's.
    from babel.numbers import format_decimal

    earned = sandbox.store.query(
        "SELECT c.title, SUM(a.amount) AS total FROM awards a "
        "JOIN award_types t ON t.id = a.award_type_id AND t.plural_label = 'CPE Credits' "
        "JOIN content c ON c.id = a.resource_id "
        "JOIN learning_path_items i ON i.content_id = a.resource_id "
        "JOIN content p ON p.id = i.path_id AND p.slug = ? "
        "WHERE a.user_id = (SELECT id FROM users WHERE email = 'avery@example.com') "
        "GROUP BY c.title",
        slug,
    )
    assert earned
    total = sum(row["total"] for row in earned)
    assert f'<span class="award-total">{format_decimal(total, locale="en")}</span>' in html
    for row in earned:
        assert f"{row['title']}: {format_decimal(row['total'], locale='en')}" in html


@pytest.mark.parametrize("headers", [{}, HX])
def test_unknown_learning_path_is_a_404_page(busy, headers):
    response = busy.get("/badges/learning-paths/no-such-path", headers=headers)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
