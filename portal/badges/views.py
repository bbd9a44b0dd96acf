"""Badges and awards: the earned badge board, the leaderboard and learning path award totals."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user, login_required

from portal import api, open_badges
from portal.api.errors import BadInput
from portal.badges.present import (
    badge_board,
    earned_badge,
    leaderboard,
    learning_path_totals,
)
from portal.badges.state import LIMITS, parse_limit
from portal.htmx import render
from portal.widgets import fetch

bp = Blueprint("badges", __name__, url_prefix="/badges")


@bp.get("")
@login_required
def index():
    limit, notice = parse_limit(request.args)
    data, error = fetch("BadgesPage", limit=limit)
    context = (
        {} if error else {"board": badge_board(data), "ranking": leaderboard(data, current_user.id)}
    )
    return render(
        "badges/index.html",
        "badges/_leaderboard.html",
        limit=limit,
        limits=LIMITS,
        notice=notice,
        error=error,
        **context,
    )


@bp.get("/learning-paths/<slug>")
@login_required
def learning_path(slug: str):
    try:
        data = api.run("LearningPathCurrentUserAwardTotals", slug=slug)
    except BadInput:
        abort(404)  # not a slug at all: no such learning path either
    totals = learning_path_totals(data.get("LearningPathCurrentUserAwardTotals"))
    return render(
        "badges/learning_path.html", "badges/_award_totals.html", slug=slug, totals=totals
    )


@bp.get("/<badge_id>/credential.jwt")
@login_required
def credential(badge_id: str):
    """An earned badge as an Open Badges 3.0 credential, signed by the portal."""
    data = api.run("BadgeCredential")
    badge, award_label = earned_badge(data, badge_id)
    if badge is None:
        abort(404)
    signed = open_badges.sign(
        open_badges.badge_credential(
            badge,
            award_label,
            current_user.id,
            open_badges.public_name(data.get("CurrentUser")),
            (data.get("CompanyDetails") or {}).get("name") or "",
        )
    )
    response = Response(signed, mimetype=open_badges.MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="badge-{badge_id[:40]}.jwt"'
    return response
