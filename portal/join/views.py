"""Joining: /join with a registration code, its check as the learner types, the terms, and the
"check your email" page. Rate limited like login; nothing typed is lost on any refusal."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal import branding, code_checks
from portal.errors import limit_retry_seconds
from portal.extensions import limiter
from portal.htmx import render
from portal.navigation import home_url
from portal.widgets import attempt

from . import present, state
from .forms import CodeForm, JoinForm
from .registration import Refused, code_status, register

bp = Blueprint("join", __name__, url_prefix="/join")


@bp.before_request
def registration_open():
    if not state.registration_open():
        abort(404)


def _email_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"join-email:{email}"


def _too_many(limit):
    """A refused request still gets its form back, everything typed in it, and when to come
    back: the reset of the limit it ran into (Retry-After says the same)."""
    seconds = limit_retry_seconds(limit)
    if code_checks.is_code_limit(limit):
        message = code_checks.too_many_message(seconds)
    else:
        message = ngettext(
            "Too many attempts. Please wait %(num)d second, then try again.",
            "Too many attempts. Please wait %(num)d seconds, then try again.",
            seconds,
        )
    response = _page(JoinForm(), None, 429, error=message)
    response.headers["Retry-After"] = str(seconds)
    return response


def _too_many_checks(limit):
    seconds = limit_retry_seconds(limit)
    response = render("join/index.html", "join/_code_status.html", status=429, form=JoinForm(),
                      code_status=None, code_message=None,
                      error=code_checks.too_many_message(seconds))  # fmt: skip
    response.headers["Retry-After"] = str(seconds)
    return response


def _page(form, status_of_code, status=200, error=None):
    return render(
        "join/index.html",
        "join/_form.html",
        status=status,
        form=form,
        code_status=status_of_code,
        code_message=present.code_message(status_of_code) if status_of_code else None,
        error=error,
    )


@bp.route("", methods=["GET", "POST"])
@limiter.limit(state.join_limit, methods=["POST"], key_func=get_remote_address, on_breach=_too_many)
@limiter.limit(state.join_limit, methods=["POST"], key_func=_email_key, on_breach=_too_many)
@code_checks.limited(_too_many)
def index():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_url())
    form = JoinForm(code=state.code_from(request.args)) if request.method == "GET" else JoinForm()
    if not form.validate_on_submit():
        return _page(form, None, 422 if request.method == "POST" else 200)
    try:
        _, error = attempt(register, form.code.data, form.first_name.data.strip(),
                           form.last_name.data.strip(), form.email.data.strip())  # fmt: skip
    except Refused as refused:
        field = getattr(form, refused.field)
        field.errors = [present.refusal_message(refused.field, refused.status)]
        return _page(form, refused.status if refused.field == "code" else "valid", 422)
    if error:
        return _page(form, None, 503, error=error.message)
    session["joined_email"] = form.email.data.strip()
    return redirect(url_for("join.check_email"), 303)


@bp.post("/code")
@code_checks.limited(_too_many_checks)
def check_code():
    """The code's state as the learner types (htmx swaps the status); without JS, the form."""
    form = CodeForm()
    status_of_code = None
    if form.validate_on_submit():
        status_of_code, error = attempt(code_status, form.code.data)
        if error:
            return render("join/index.html", "join/_code_status.html", status=200,
                          form=JoinForm(), code_status=None, code_message=None,
                          error=error.message)  # fmt: skip
    status = 200 if status_of_code == "valid" else 422
    return render(
        "join/index.html",
        "join/_code_status.html",
        status=status,
        form=JoinForm(),
        code_status=status_of_code,
        code_message=present.code_message(status_of_code) if status_of_code else None,
        error=next(iter(form.code.errors), None),  # a code that cannot be checked says why
    )


@bp.get("/terms")
def terms():
    return render_template(
        "site/terms.html",
        paragraphs=branding.terms(),
        back=(url_for("join.index"), _("Back to joining")),
    )


@bp.get("/check-your-email")
def check_email():
    return render_template("join/check_email.html", email=session.get("joined_email"))
