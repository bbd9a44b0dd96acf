"""Error pages: branded, in the learner's language, a fragment for htmx, never a traceback."""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.api import errors as api_errors
from portal.api.budget import BudgetSpent
from portal.htmx import hx_redirect, see_other, wants_fragment
from portal.learner import end_session
from portal.urls import local_path, path_of

TITLES = {
    400: _l("This request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not available here"),
    413: _l("What you sent is too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("The learning service is unavailable"),
}
MESSAGES = {
    400: _l("Please go back, reload the page and try again."),
    403: _l("If you think you should have access, contact your administrator."),
    404: _l("The page you asked for does not exist or has moved."),
    405: _l("This address cannot be used that way. Use the buttons on the page instead."),
    413: _l("Please send something smaller."),
    429: _l("Please wait a moment before trying again."),
    500: _l("We could not show this page. Please try again in a moment."),
    503: _l("We cannot reach the learning service right now. Please try again in a moment."),
}
CSRF_MESSAGE = _l(
    "This form has expired or was sent from another site. Reload the page and send it again."
)
BUSY_MESSAGE = _l(
    "Many learners are using the learning service right now, and the portal keeps its share "
    "for them."
)
# Templates that exist under templates/errors/; other codes use the generic page.
PAGES = {404, 405, 429, 500, 503}


def retry_message(seconds: int) -> str:
    """When to come back, as the learner reads it."""
    return ngettext(
        "Please try again in %(num)d second.", "Please try again in %(num)d seconds.", seconds
    )


def limit_retry_seconds(limit) -> int:
    """Whole seconds until a Flask-Limiter limit (a RequestLimit) lets requests through."""
    if limit is None:
        return 60
    seconds = math.ceil(limit.reset_at - time.time())
    return max(1, min(seconds, limit.limit.get_expiry()))


def error_response(status: int, message=None, headers: dict | None = None):
    """The branded error page (or htmx fragment) for status, safe even if rendering fails.
    A 429 says when to come back: its Retry-After."""
    retry_after = (headers or {}).get("Retry-After")
    if status == 429 and retry_after and message is None:
        message = retry_message(int(retry_after))
    context = {
        "status": status,
        "title": TITLES.get(status, TITLES[500]),
        "message": message or MESSAGES.get(status, MESSAGES[500]),
    }
    template = f"errors/{status}.html" if status in PAGES else "errors/page.html"
    if wants_fragment():
        template = "errors/_error.html"
    try:
        body = render_template(template, **context)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        current_app.logger.exception("error page %s failed to render", status)
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    response = make_response(body, status)
    response.vary.add("HX-Request")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def login_again():
    """The token expired or was revoked: sign the learner out, back to login with `next` kept."""
    end_session()
    return redirect_to_login(expired=1)


def redirect_to_login(**args):
    """To the login page, `next` being the page the learner was on (htmx: HX-Redirect)."""
    target = url_for("auth.login", next=local_path(_return_path()), **args)
    if getattr(request, "htmx", False):
        return hx_redirect(target)
    return see_other(target, 303 if request.method != "GET" else 302)


def _return_path() -> str | None:
    """Where to come back after signing in again: this page, or the page a form was sent from."""
    if request.method == "GET" and not getattr(request, "htmx", False):
        return request.full_path.rstrip("?")
    url = request.headers.get("HX-Current-URL") or request.referrer
    if not url:
        return None
    return path_of(url, request.host)


def _retry_after(seconds) -> dict:
    if seconds is None:
        return {}
    return {"Retry-After": str(max(1, math.ceil(float(seconds))))}


def handle_http(error: HTTPException):
    headers = {}
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(error.code or 500, headers=headers)


def handle_csrf(error: CSRFError):
    return error_response(400, CSRF_MESSAGE)


def handle_rate_limit(error: RateLimitExceeded):
    from portal.extensions import limiter

    if error.response is not None:  # a view's own answer (its form again, say): on_breach
        return error.response
    return error_response(429, headers=_retry_after(limit_retry_seconds(limiter.current_limit)))


def handle_api_error(error: api_errors.ApiError):
    if isinstance(error, api_errors.TokenExpired):
        return login_again()
    if isinstance(error, api_errors.RateLimited):
        headers = _retry_after(getattr(error, "retry_after", None) or 30)
        message = None
        if isinstance(error, BudgetSpent):
            seconds = int(headers["Retry-After"])
            message = f"{BUSY_MESSAGE} {retry_message(seconds)}"
        return error_response(429, message, headers=headers)
    if isinstance(error, api_errors.NotFound):
        return error_response(404)
    if isinstance(error, api_errors.Forbidden):
        return error_response(403)
    if isinstance(error, api_errors.BadInput):
        return error_response(400, getattr(error, "message", None))
    if isinstance(error, api_errors.Unavailable):
        return error_response(503, headers={"Retry-After": "30"})
    current_app.logger.error("unexpected API error: %r", error)
    return error_response(500)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http(error)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(api_errors.ApiError, handle_api_error)
    app.register_error_handler(Exception, handle_unexpected)
