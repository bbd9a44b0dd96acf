"""Signing in against the instance in two round trips: Login, then one request for everything
the first pages need (`SignedIn`), with refusals as learner messages."""

from __future__ import annotations

from flask import flash, request
from flask_babel import lazy_gettext as _l

from portal import api, bookmark_folders, events, feeds, learner_context
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
}
# What the request after Login may go without: the learner is signed in all the same.
OPTIONAL = frozenset({"UserBookmarks", "CompanyDetails", "UserContentItems", "UserWaitlist"})


class LoginRefused(Exception):
    def __init__(self, message, status: int, retry_after: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.retry_after = retry_after


def sign_in(email: str, password: str) -> User:
    """Log the learner in upstream and open their session, or raise LoginRefused (an outage
    raises the ApiError kinds of `portal.forms.OUTAGE_ERRORS`)."""
    try:
        token = api.run_anonymous("Login", email=email, password=password)["Login"]
        # Only after joining through an instance that redeems for signed-in learners alone.
        said = learner_context.redeem_waiting_codes(email, token) if token else None
        known = learner_context.known_id(email)
        data = _signed_in(token, known) if token else {}
    except errors.ApiError as error:
        for kind, (message, status) in REFUSALS.items():
            if isinstance(error, kind):
                raise LoginRefused(message, status, getattr(error, "retry_after", None)) from None
        raise
    current = data.get("CurrentUser")
    if not token or not current or not current.get("id"):
        raise LoginRefused(REFUSALS[errors.BadCredentials][0], 422)
    user = start_session(token, current)
    # What was asked by the id an earlier sign-in found counts only if it is this learner's.
    same = known == user.id
    learner_context.learned(current, data.get("CompanyDetails") or {} if same else None)
    learner_context.remember_id(email, user.id)
    bookmark_folders.remember_signed_in(data.get("UserBookmarks"))
    if same and "UserContentItems" in data:
        feeds.keep(user.id, events.feed_calendar(data))
    if said:
        flash(*said)
    return user


def _signed_in(token: str, known: str | None) -> dict:
    """One request: who the learner is, their client, bookmarks; with the id of an earlier
    sign-in, their company details and (when they have a feed) their calendar too."""
    operations, variables = ["SignedIn"], {}
    if known:
        operations.append("LearnerCompany")
        variables["user"] = known
        if feeds.secret_of(known) is not None:
            operations.append("CalendarItems")
    return api.run_merged_as(token, tuple(operations), optional=OPTIONAL, **variables)


def failed_attempt(response) -> bool:
    """Whether a login answer counts against the limits: a refusal or an invalid form."""
    return response.status_code == 422


def email_rate_key() -> str:
    """Rate-limit key for login attempts on one email, whoever sends them."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"login-email:{email}"
