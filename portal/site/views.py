"""Home shell, terms, the instance's stylesheet and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from portal import branding
from portal.navigation import home_url
from portal.urls import local_path

bp = Blueprint("site", __name__)


def index():
    """`/`: the learner's landing page, or login."""
    if current_user.is_authenticated:
        return redirect(home_url())
    return redirect(url_for("auth.login"))


@bp.route("/home")
@login_required
def home():
    return render_template("site/home.html")


@bp.route("/terms")
def terms():
    return render_template("site/terms.html", paragraphs=branding.terms(required=True))


@bp.route("/brand.css")
def brand_css():
    response = current_app.response_class(branding.custom_css(), mimetype="text/css")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/language", methods=["POST"])
def language():
    code = request.form.get("lang", "")
    if code not in {entry["code"] for entry in branding.languages()}:
        abort(400)
    session["lang"] = code
    return redirect(local_path(request.form.get("next")) or home_url(), 303)
