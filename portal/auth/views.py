"""Login and logout pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal import api, metrics
from portal.api import budget, errors
from portal.extensions import limiter
from portal.forms import OUTAGE_ERRORS, outage_of, render_form
from portal.learner import end_session
from portal.navigation import home_url
from portal.urls import local_path

from .forms import LoginForm
from .login import LoginRefused, email_rate_key, failed_attempt, sign_in

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


# Only failed attempts count (a refusal or an invalid form answers 422): guessing is slowed
# down, and learners who share an address, or type their password right, are not.
def _limited(limit) -> None:
    metrics.sign_in("rate_limited")


@bp.route("/login", methods=["GET", "POST"])
@budget.first
@limiter.limit(
    _login_limit,
    methods=["POST"],
    key_func=get_remote_address,
    deduct_when=failed_attempt,
    on_breach=_limited,
)
@limiter.limit(
    _login_limit,
    methods=["POST"],
    key_func=email_rate_key,
    deduct_when=failed_attempt,
    on_breach=_limited,
)
def login():
    form = LoginForm()
    next_url = local_path(form.next.data or request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or home_url())
    refused = outage = None
    if form.validate_on_submit():
        try:
            sign_in(form.email.data.strip(), form.password.data)
            metrics.sign_in("ok")
            return redirect(next_url or home_url(), 303)
        except LoginRefused as error:
            refused = error
        except OUTAGE_ERRORS as error:
            outage = outage_of(error)
    if request.method == "POST":
        metrics.sign_in("unavailable" if outage else "failed")
    status = refused.status if refused else (422 if request.method == "POST" else 200)
    response = render_form(
        "auth/login.html",
        "auth/login.html",
        status=status,
        outage=outage,
        form=form,
        next_url=next_url,
        refused=refused,
    )
    if refused and refused.retry_after:
        response.headers["Retry-After"] = str(refused.retry_after)
    return response


@bp.route("/logout", methods=["POST"])
@budget.first
def logout():
    try:
        api.run("Logout")
    except errors.ApiError:
        pass  # The local session ends whatever the upstream says.
    end_session()
    response = redirect(url_for("auth.login", signed_out=1), 303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
