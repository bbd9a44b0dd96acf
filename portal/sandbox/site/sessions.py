"""The instance's web session: its own cookie, apart from API tokens; only a hash is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, g, request

from .. import auth
from ..store import Store, iso, now

COOKIE = "ti_session"
LIFETIME = timedelta(hours=12)


class SignInRefused(Exception):
    """Why a sign-in failed, in words a learner reads."""


def store() -> Store:
    return current_app.extensions["sandbox"].store


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(email: str, password: str) -> str:
    """Check the learner's credentials as Login does; a new session token on success."""
    db = store()
    email = (email or "").strip()[:254]
    if auth.recent_failures(db, email) >= auth.MAX_FAILURES:
        raise SignInRefused("Too many failed attempts. Please wait 15 minutes and try again.")
    user = db.one("SELECT * FROM users WHERE email = ?", email) if email else None
    if not auth.verify_password(user["password_hash"] if user else None, password or ""):
        auth.record_failure(db, email)
        raise SignInRefused("Invalid email or password.")
    if user["disabled"]:
        raise SignInRefused("This account is disabled. Please contact your administrator.")
    if user["must_reset_password"]:
        raise SignInRefused("You must reset your password before you can sign in.")
    auth.clear_failures(db, email)
    return open_session(user["id"])


def open_session(user_id: str) -> str:
    """A new session of the learner on the instance's pages (the session this browser had
    before, if any, ends): its token, for the cookie."""
    sign_out()
    db = store()
    token = secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    db.insert(
        "site_sessions",
        token_hash=_digest(token),
        user_id=user_id,
        created_at=iso(created),
        expires_at=iso(created + LIFETIME),
    )
    db.execute("UPDATE users SET last_active_at = ? WHERE id = ?", now(), user_id)
    return token


def set_cookie(response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )


def sign_out() -> None:
    token = request.cookies.get(COOKIE)
    if token:
        store().execute("DELETE FROM site_sessions WHERE token_hash = ?", _digest(token))


def learner() -> sqlite3.Row | None:
    """The signed-in learner of this request, or None."""
    if "site_learner" not in g:
        token = request.cookies.get(COOKIE) or ""
        g.site_learner = (
            store().one(
                "SELECT users.* FROM site_sessions JOIN users ON users.id = site_sessions.user_id "
                "WHERE site_sessions.token_hash = ? AND site_sessions.expires_at > ? "
                "AND users.disabled = 0",
                _digest(token),
                now(),
            )
            if token
            else None
        )
    return g.site_learner


def csrf_token() -> str:
    """A form token bound to the session: a page of another site cannot know it."""
    token = request.cookies.get(COOKIE) or ""
    return hmac.new(token.encode(), b"site-form", hashlib.sha256).hexdigest()


def csrf_ok(given: str | None) -> bool:
    return bool(request.cookies.get(COOKIE)) and hmac.compare_digest(
        (given or "").encode(), csrf_token().encode()
    )


def safe_next(target: str | None, default: str = "/dashboard") -> str:
    """A path on this instance to go back to; anything else (other hosts, schemes) is ignored."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or parts.scheme
        or parts.netloc
        or any(ord(c) < 32 for c in target)
    ):
        return default
    return target
