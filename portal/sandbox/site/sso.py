"""JWT single sign-on as TI's instances take it: `/access/jwt?jwt=...` signs a learner in from a
token their identity provider signed with the shared secret (HS256), and the SSO settings'
external login and logout URLs send learners to that provider to sign in and out.

A token is taken when its signature checks out, its `iat` is within 500 seconds of this
clock (and its `exp`, when it has one, has not passed), its `jti` was never used before and its
`returnTo` is a page of this instance. The learner is found by `externalCustomerId`, else by
email; an unknown one is created or refused as `sso_new_learners` says. A refused token signs
nobody in and the learner reads why. The token never reaches a page or the access log, and
the pages at /access/jwt send no Referer.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import jwt
from flask import current_app, make_response, redirect, request

from ..store import iso, new_id, now
from . import bp, sessions

log = logging.getLogger(__name__)
IAT_WINDOW = 500  # seconds either side of this clock, as TI checks
RETURN_TO = "{{returnTo}}"


class Refused(Exception):
    """Why a token signs nobody in: `reason` for the log, `message` for the learner."""

    def __init__(self, reason: str, message: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.status = status


EXPIRED = "This sign-in link has expired: links from your sign-in service work for a few minutes."
USED = "This sign-in link was already used: each one signs you in once."
INVALID = "This sign-in link is not valid: it was changed, or not made by your sign-in service."
ELSEWHERE = "This sign-in link leads to a page outside this site, so it was not followed."


def settings():
    return current_app.extensions["sandbox"]


def external_login(target: str) -> str | None:
    """The external login URL for a learner on their way to `target` (a path here), or None
    when the instance has none: its sign-in page then asks for a password."""
    url = settings().sso_login_url
    if not url:
        return None
    return url.replace(RETURN_TO, quote(settings().public_address() + target, safe=""))


def after_sign_out() -> str:
    """Where a learner goes once signed out: the logout URL when set, else the sign-in page."""
    url = settings().sso_logout_url
    if not url:
        return "/sign-in"
    return url.replace(RETURN_TO, quote(settings().public_address() + "/", safe=""))


def own_path(value) -> str | None:
    """`returnTo` as a path of this instance: a path, or an absolute URL of its public address;
    None for another host or scheme."""
    if not isinstance(value, str) or not value:
        return "/dashboard"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        home = urlsplit(settings().public_address())
        if (parts.scheme.lower(), parts.netloc.lower()) != (home.scheme, home.netloc.lower()):
            return None
        value = parts._replace(scheme="", netloc="").geturl() or "/"
    path = sessions.safe_next(value, default="")
    return path or None


def claims_of(token) -> dict:
    """The token's claims once every check passed; Refused otherwise."""
    if not isinstance(token, str) or not token:
        raise Refused("missing", INVALID)
    try:
        claims = jwt.decode(
            token,
            settings().sso_secret,
            algorithms=["HS256"],
            options={"require": ["iat", "jti", "email"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        raise Refused("expired", EXPIRED) from None
    except jwt.PyJWTError:
        raise Refused("invalid", INVALID) from None
    issued = claims["iat"]
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise Refused("bad iat", INVALID)
    if abs(time.time() - issued) > IAT_WINDOW:
        raise Refused("iat outside the window", EXPIRED)
    for name in ("jti", "email"):
        if not isinstance(claims[name], str) or not claims[name].strip():
            raise Refused(f"bad {name}", INVALID)
    for name in ("firstName", "lastName", "externalCustomerId", "returnTo"):
        if not isinstance(claims.get(name, ""), str | None):
            raise Refused(f"bad {name}", INVALID)
    return claims


def use_once(claims: dict) -> None:
    """Record the token's `jti`; Refused when it was used before (a replay)."""
    db = sessions.store()
    forget = datetime.fromtimestamp(claims["iat"], UTC) + timedelta(seconds=IAT_WINDOW + 60)
    with db.transaction() as conn:
        conn.execute("DELETE FROM sso_used_tokens WHERE forget_after < ?", (now(),))
        try:
            conn.execute(
                "INSERT INTO sso_used_tokens (jti, forget_after) VALUES (?, ?)",
                (claims["jti"][:200], iso(forget)),
            )
        except sqlite3.IntegrityError:
            raise Refused("replayed", USED) from None


def learner_for(claims: dict) -> sqlite3.Row:
    """The learner the token names, brought up to date with its names; created when unknown
    and the settings say so."""
    db = sessions.store()
    email = claims["email"].strip()[:254]
    external = (claims.get("externalCustomerId") or "").strip()[:200] or None
    first, last = (claims.get("firstName") or "")[:200], (claims.get("lastName") or "")[:200]
    with db.transaction():
        user = (
            db.one("SELECT * FROM users WHERE external_customer_id = ?", external)
            if external
            else None
        )
        if user is None:
            user = db.one("SELECT * FROM users WHERE email = ?", email)
            linked = user["external_customer_id"] if user is not None else None
            if external and linked not in (None, external):
                raise Refused(
                    "email of another external id",
                    "This email address belongs to an account linked to another sign-in. "
                    "Please contact your administrator.",
                    403,
                )
        if user is None:
            if settings().sso_new_learners != "create":
                raise Refused(
                    "unknown learner",
                    f"There is no account for {email} here. "
                    "Please ask your administrator for access.",
                    403,
                )
            user_id = new_id()
            db.insert(
                "users",
                id=user_id,
                email=email,
                first_name=first or None,
                last_name=last or None,
                external_customer_id=external,
                created_at=now(),
                updated_at=now(),
            )
        else:
            user_id = user["id"]
            if user["disabled"]:
                raise Refused(
                    "disabled",
                    "This account is disabled. Please contact your administrator.",
                    403,
                )
            taken = db.scalar("SELECT id FROM users WHERE email = ? AND id != ?", email, user_id)
            db.execute(
                "UPDATE users SET email = ?, first_name = COALESCE(?, first_name), "
                "last_name = COALESCE(?, last_name), "
                "external_customer_id = COALESCE(external_customer_id, ?), updated_at = ? "
                "WHERE id = ?",
                user["email"] if taken else email,
                first or None,
                last or None,
                external,
                now(),
                user_id,
            )
    return db.one("SELECT * FROM users WHERE id = ?", user_id)


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused_page(refusal: Refused):
    from .views import _page

    log.warning("single sign-on refused: %s", refusal.reason)
    return _no_referrer(_page("sso_refused.html", refusal.status, message=refusal.message))


@bp.route("/access/jwt", methods=["GET", "POST"])
def access_jwt():
    try:
        claims = claims_of(request.values.get("jwt"))
        target = own_path(claims.get("returnTo"))
        if target is None:
            raise Refused("returnTo elsewhere", ELSEWHERE)
        use_once(claims)
        user = learner_for(claims)
    except Refused as refusal:
        return _refused_page(refusal)
    response = redirect(target, 303)
    sessions.set_cookie(response, sessions.open_session(user["id"]))
    return _no_referrer(response)


@bp.get("/access/logout")
def access_logout():
    """Ends the learner's session here when opened (the identity provider's sign-out sends
    them here), then on to the logout URL."""
    sessions.sign_out()
    response = make_response(redirect(after_sign_out(), 303))
    response.delete_cookie(sessions.COOKIE)
    return _no_referrer(response)
