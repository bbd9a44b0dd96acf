"""Content pages (`/learn/<kind>/<key>`), and the percents of cards an htmx list sent without."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from portal.htmx import render
from portal.learn import present
from portal.learn.state import parse_page, parse_progress_ids

bp = Blueprint("learn", __name__, url_prefix="/learn")


@bp.get("/progress")
@login_required
def progress():
    context = present.progress_context(parse_progress_ids(request.args))
    response = render_template("learn/_progress.html", **context)
    return response, 200, {"Vary": "HX-Request"}


@bp.get("/<kind>/<key>")
@login_required
def page(kind: str, key: str):
    wanted = parse_page(kind, key) or abort(404)
    context = present.page_context(wanted)
    return render("learn/page.html", "learn/_page.html", **context)
