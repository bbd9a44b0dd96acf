"""Login and logout pages, and single sign-on to the instance: the hand-over and the instance's
login and logout URLs."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal import metrics, single_sign_on
from portal.api import budget
from portal.errors import error_response
from portal.extensions import limiter, login_manager
from portal.forms import OUTAGE_ERRORS, outage_of, render_form
from portal.navigation import home_url
from portal.urls import instance_path, local_path

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
    return single_sign_on.sign_out()


NOT_AN_INSTANCE_PAGE = _l(
    "This link does not lead to a page of the learning site, so it was not followed."
)


@bp.get("/sso/login")
def sso_login():
    """Where instance links lead with single sign-on, and the instance's external login URL:
    sign in here (or be signed in), then land on `returnTo` on the instance, signed in."""
    if not single_sign_on.enabled():
        return error_response(404)
    path = instance_path(request.args.get("returnTo") or "/")
    if path is None:
        return error_response(400, NOT_AN_INSTANCE_PAGE)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return single_sign_on.hand_over(path)


@bp.get("/sso/logout")
@budget.first
def sso_logout():
    """The instance's logout URL: a learner who signed out there is signed out here too. Only
    when they come from the instance's pages; another site gets a question, not a sign-out."""
    if not current_user.is_authenticated:
        return single_sign_on.signed_out_page()
    if single_sign_on.from_instance():
        return single_sign_on.sign_out(instance_too=False)
    return render_template("auth/sign_out.html")
