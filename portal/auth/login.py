"""Signing in against the instance: Login, then CurrentUser, with refusals as learner messages."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from portal import api
from portal.api import errors
from portal.learner import User, start_session

# Every refusal says what to do next and none tells whether the email exists.
REFUSALS = {
    errors.BadCredentials: (_l("Email or password is incorrect."), 422),
    errors.AccountDisabled: (
        _l("This account is disabled. Please contact your administrator."),
        422,
    ),
    errors.TooManyAttempts: (
        _l("Too many failed attempts. Please wait 15 minutes, then try again."),
        422,
    ),
    errors.PasswordResetRequired: (
        _l(
            "You need to choose a new password before signing in. "
            "Use the link in your reset email or contact your administrator."
        ),
        422,
    ),
    errors.RateLimited: (_l("Too many requests right now. Please try again in a moment."), 429),
    errors.Unavailable: (
        _l("The learning service is not reachable right now. Please try again in a moment."),
        503,
    ),
}


class LoginRefused(Exception):
    def __init__(self, message, status: int, retry_after: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.retry_after = retry_after


def sign_in(email: str, password: str) -> User:
    """Log the learner in upstream and open their session, or raise LoginRefused."""
    try:
        token = api.run_anonymous("Login", email=email, password=password)["Login"]
        current = api.run_as(token, "CurrentUser")["CurrentUser"]
    except errors.ApiError as error:
        for kind, (message, status) in REFUSALS.items():
            if isinstance(error, kind):
                raise LoginRefused(message, status, getattr(error, "retry_after", None)) from None
        raise
    if not token or not current or not current.get("id"):
        raise LoginRefused(REFUSALS[errors.BadCredentials][0], 422)
    return start_session(token, current)


def email_rate_key() -> str:
    """Rate-limit key for login attempts on one email, whoever sends them."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"login-email:{email}"
