"""Login and Logout: argon2 check, throttled failures, distinct codes only after a good password;
the token is also set as the authToken cookie (graphql.py), as TI does."""

from __future__ import annotations

from .. import auth
from ..store import now
from .common import (
    AccountDisabled,
    InvalidCredentials,
    PasswordResetRequired,
    TooManyAttempts,
    ctx,
    mutation,
)


@mutation.field("Login")
def resolve_login(_obj, info, email: str, password: str) -> str:
    store = ctx(info).store
    email = email.strip()
    if auth.recent_failures(store, email) >= auth.MAX_FAILURES:
        raise TooManyAttempts("Too many failed attempts. Please wait 15 minutes and try again.")
    user = store.one("SELECT * FROM users WHERE email = ?", email) if email else None
    # Unknown users go through a dummy hash: same answer, same time.
    if not auth.verify_password(user["password_hash"] if user else None, password):
        auth.record_failure(store, email)
        raise InvalidCredentials("Invalid email or password.")
    if user["disabled"]:
        raise AccountDisabled("This account is disabled. Please contact your administrator.")
    if user["must_reset_password"]:
        raise PasswordResetRequired("You must reset your password before you can log in.")
    auth.clear_failures(store, email)
    store.execute("UPDATE users SET last_active_at = ? WHERE id = ?", now(), user["id"])
    token = auth.issue_token(store, user["id"])
    ctx(info).issued_token = token
    return token


@mutation.field("Logout")
def resolve_logout(_obj, info) -> bool:
    context = ctx(info)
    context.require_user()
    auth.revoke_token(context.store, context.token)
    context.logged_out = True
    return True
