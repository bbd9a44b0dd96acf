"""Single sign-on to the instance (TI's JWT SSO): the signed-in learner handed over to an
instance page signed in, and signing out ending both sides.

The portal is the learner's identity provider here: it signs a short-lived JWT (HS256, the
secret shared with the instance, TI_SSO_SECRET) naming the learner and the page, and sends the
browser to `{instance}/access/jwt?jwt=...`. The token lives in that one redirect: never in a
page, a log line (the portal logs paths without their query) or a Referer.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

import jwt
from flask import current_app, redirect, request, url_for
from flask_login import current_user

from portal import api
from portal.api.errors import ApiError
from portal.learner import User, end_session
from portal.urls import instance_page, instance_url, on_instance, split_url

# A minute or two: the token only has to survive the redirect (the instance also wants its
# `iat` within 500 seconds of its own clock).
HANDOVER_SECONDS = 120
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def enabled() -> bool:
    return bool(current_app.config.get("TI_SSO_SECRET"))


def handover_token(user: User, path: str) -> str:
    """The JWT that signs `user` in on the instance and lands them on `path`: used once (its
    `jti`), for HANDOVER_SECONDS. The learner's id in the instance's other systems when it has
    one, else their instance id, is the `externalCustomerId` the instance matches them by
    first, so that a changed email cannot make a second account."""
    issued = int(time.time())
    claims = {
        "iat": issued,
        "exp": issued + HANDOVER_SECONDS,
        "jti": secrets.token_urlsafe(18),
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "externalCustomerId": user.external_customer_id or user.id,
        "returnTo": path,
    }
    return jwt.encode(claims, current_app.config["TI_SSO_SECRET"], algorithm="HS256")


def hand_over(path: str):
    """303 to the instance page at `path`, through `/access/jwt` for the signed-in learner (no
    API call: who they are is in their session); straight to it without single sign-on."""
    target = instance_url(path)
    if enabled() and current_user.is_authenticated and current_user.email:
        token = handover_token(current_user, path)
        target = f"{current_app.config['TI_PUBLIC_URL']}/access/jwt?{urlencode({'jwt': token})}"
    response = redirect(target, 303)
    response.set_data(b"")  # not even in the body werkzeug writes for browsers of old
    # The browser must not tell the instance where the learner came from, nor keep the answer.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def from_instance() -> bool:
    """Whether the browser came from a page of the instance (its Referer's origin): what the
    instance's sign-out sends to its logout URL. Another site cannot make a browser say so
    (and a Referer that is no URL is no page of the instance)."""
    return on_instance(split_url(request.referrer))


def sign_out(*, instance_too: bool = True):
    """End the learner's token upstream (Logout) and their session here; with single sign-on,
    go on to the instance's logout page (TI_LOGOUT_PATH), which ends its own session and comes
    back through its logout URL; else to the login page, saying so."""
    try:
        api.run("Logout")
    except ApiError:
        pass  # The local session ends whatever the upstream says.
    end_session()
    leave = instance_page("TI_LOGOUT_PATH") if instance_too and enabled() else None
    if leave:
        # No Clear-Site-Data on the way: it clears the cookies of the portal's whole site, the
        # instance's too when they share one, and the instance must still see its session to
        # end it. The portal's last answer of the sign-out (sso_logout) clears them.
        response = redirect(leave, 303)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    return signed_out_page()


def signed_out_page():
    response = redirect(url_for("auth.login", signed_out=1), 303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
