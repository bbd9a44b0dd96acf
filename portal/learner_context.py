"""The signed-in learner's own context: their client's branding and languages, whether their
email needs verifying, and registration codes waiting for their first sign-in."""

from __future__ import annotations

import hashlib
import logging
import time

from flask import current_app, g, has_request_context, session
from flask_babel import gettext as _
from flask_login import current_user

from portal import api
from portal.api import errors

log = logging.getLogger(__name__)

SESSION_KEY = "learner_context"
DEFAULT_CONTEXT_SECONDS = 300
PENDING_SECONDS = 60 * 60 * 24 * 30


def _fetch() -> dict:
    user_id = session.get("user", {}).get("id")
    data = api.run("LearnerContext", user=user_id)
    user = data.get("CurrentUser") or {}
    return {
        "at": time.time(),
        "must_verify_email": bool(user.get("mustVerifyEmail")),
        "client": user.get("client") or {},
        "company": data.get("CompanyDetails") or {},
    }


def learned(current: dict, company: dict | None) -> None:
    """The context as signing in learned it (`SignedIn`): the client, whether the email needs
    verifying, and the company details when they were asked for. A client that brands its
    learners' pages with an appearance of its own, when its details were not asked yet, makes
    the first page ask (`context`); any other learner sees the instance's."""
    client = current.get("client") or {}
    branded = client.get("enableBranding") and client.get("appearance")
    known = company is not None or not branded
    found = {
        "at": time.time() if known else 0.0,
        "must_verify_email": bool(current.get("mustVerifyEmail")),
        "client": client,
        "company": company or {},
    }
    session[SESSION_KEY] = found
    if known:
        g.learner_context = found
    else:
        g.pop("learner_context", None)


def refresh() -> dict:
    """Fetch the context now (at sign-in, or when it is stale); an outage keeps the old one."""
    try:
        found = _fetch()
    except errors.ApiError as error:
        log.warning("learner context unavailable: %s", error)
        return session.get(SESSION_KEY) or {}
    session[SESSION_KEY] = found
    g.learner_context = found
    return found


def context() -> dict:
    """The context of the signed-in learner ({} for anyone else), fetched at most once a request.

    It is kept in the session for LEARNER_CONTEXT_SECONDS, except while the email still needs
    verifying: then every whole page asks again (htmx fragments show no notice), so the
    notice goes once the link was followed.
    """
    from portal.htmx import wants_fragment

    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return {}
    if "learner_context" in g:
        return g.learner_context
    found = session.get(SESSION_KEY) or {}
    seconds = current_app.config.get("LEARNER_CONTEXT_SECONDS", DEFAULT_CONTEXT_SECONDS)
    recheck = found.get("must_verify_email") and not wants_fragment()
    if not found or recheck or time.time() - found["at"] > seconds:
        found = refresh()
    g.learner_context = found
    return found


def client() -> dict:
    return context().get("client") or {}


def company() -> dict | None:
    """The learner's CompanyDetails(user:), None when not signed in or not known."""
    return context().get("company") or None


def must_verify_email() -> bool:
    return bool(context().get("must_verify_email"))


def client_languages() -> list[str] | None:
    """Primary codes of the languages the learner's client offers, None when it says nothing."""
    codes = [c.split("-")[0].lower() for c in client().get("languages") or [] if c]
    return list(dict.fromkeys(codes)) or None


def language_selector_enabled() -> bool:
    return client().get("languageSelectorEnabled") is not False


def default_language() -> str | None:
    code = client().get("defaultLanguage")
    return code.split("-")[0].lower() if isinstance(code, str) and code else None


def filters_catalog_by_language() -> bool:
    return bool(client().get("autoFilterForSelectedLanguage"))


# -- what an earlier sign-in learned, and registration codes waiting for the first one ---------

HINT_SECONDS = 60 * 60 * 24 * 90


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


def _pending_key(email: str) -> str:
    return f"pending-codes:{_email_digest(email)}"


def _hint_key(email: str) -> str:
    return f"sign-in-hint:{_email_digest(email)}"


def known_id(email: str) -> str | None:
    """The id an earlier sign-in with this email found: what the request after Login can ask
    by (the learner's company details) before the instance says who they are."""
    from portal.api.cache import cache

    try:
        return cache.get(_hint_key(email))
    except Exception:  # noqa: BLE001 - a cache that is down: the first page asks instead
        return None


def remember_id(email: str, user_id: str) -> None:
    from portal.api.cache import cache

    try:
        cache.set(_hint_key(email), user_id, timeout=HINT_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable, the learner's id is not kept", exc_info=True)


def keep_code_for(email: str, code: str, redeemed: bool = False) -> None:
    """Remember the code this learner joined with, for their first sign-in: to say it was
    redeemed, or to redeem it then (an instance that redeems for signed-in learners only)."""
    from portal.api.cache import cache

    cache.set(_pending_key(email), {"codes": [code], "redeemed": redeemed}, timeout=PENDING_SECONDS)


def redeem_waiting_codes(email: str, token: str) -> tuple[str, str] | None:
    """Redeem the codes kept for this learner (an instance that did not redeem them when they
    joined), as them: what to say of it (message, category), None when nothing waited."""
    from portal.api.cache import cache

    key = _pending_key(email)
    try:
        codes = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down: nothing waits
        log.warning("cache unavailable, waiting codes not read", exc_info=True)
        return None
    if not codes:
        return None
    if isinstance(codes, dict):
        codes, redeemed = codes.get("codes") or [], codes.get("redeemed")
        if redeemed:
            cache.delete(key)
            return _redeemed_message(codes), "success"
    try:
        data = api.run_as(
            token, "RedeemRegistrationAndRedemptionCodes", validatedRedemptionCodes=codes
        )
    except (errors.BadInput, errors.NotFound):
        cache.delete(key)
        return _("Your registration code could not be redeemed any more. "
                 "Ask whoever gave it to you for a new one."), "error"  # fmt: skip
    except errors.ApiError as error:
        log.warning("waiting codes not redeemed yet: %s", error)
        return None  # kept: the next sign-in tries again
    cache.delete(key)
    if (data.get("RedeemRegistrationAndRedemptionCodes") or {}).get("redeemed"):
        return _redeemed_message(codes), "success"
    return None


def _redeemed_message(codes: list[str]) -> str:
    return _("Your registration code %(code)s was redeemed.", code=", ".join(codes))
