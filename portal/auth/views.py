"""Login and logout pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal import api
from portal.api import errors
from portal.extensions import limiter
from portal.learner import end_session
from portal.navigation import home_url
from portal.urls import local_path

from .forms import LoginForm
from .login import LoginRefused, email_rate_key, sign_in

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=get_remote_address)
@limiter.limit(_login_limit, methods=["POST"], key_func=email_rate_key)
def login():
    form = LoginForm()
    next_url = local_path(form.next.data or request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or home_url())
    refused = None
    if form.validate_on_submit():
        try:
            sign_in(form.email.data.strip(), form.password.data)
            return redirect(next_url or home_url(), 303)
        except LoginRefused as error:
            refused = error
    status = refused.status if refused else (422 if request.method == "POST" else 200)
    response = render_template("auth/login.html", form=form, next_url=next_url, refused=refused)
    headers = {"Retry-After": str(refused.retry_after)} if refused and refused.retry_after else {}
    return response, status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    try:
        api.run("Logout")
    except errors.ApiError:
        pass  # The local session ends whatever the upstream says.
    end_session()
    response = redirect(url_for("auth.login", signed_out=1), 303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
