"""Verification of shared certificates: the public page of a link and its credential (no
sign-in, no session, no cookie), the issuer's DID document, the status list, and withdrawing
a link from the Account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from portal import credential_keys, open_badges, shares
from portal.errors import limit_retry_seconds
from portal.extensions import limiter
from portal.htmx import render, see_other, wants_fragment
from portal.sessionless import serve_without_session
from portal.verify.forms import WithdrawForm
from portal.verify.present import gone, links, page

bp = Blueprint("verify", __name__)
# Paths anyone may open: served without a session (portal/sessionless.py).
PUBLIC_PATHS = ("/verify/", "/.well-known/did.json", "/credentials/status/")


@bp.record_once
def _public(state) -> None:
    serve_without_session(state.app, *PUBLIC_PATHS)


def _verify_limit() -> str:
    return current_app.config["RATELIMIT_VERIFY"]


def _public_page(template: str, status: int = 200, indexable: bool = False, **context):
    response = make_response(render_template(template, indexable=indexable, **context), status)
    # A withdrawal shows at once: caches ask again each time. The page is in the visitor's
    # browser language, and depends on nothing else they send.
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept-Language")
    if not indexable:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _too_many(limit):
    seconds = limit_retry_seconds(limit)
    response = _public_page("verify/gone.html", 429, **gone("busy", seconds))
    response.headers["Retry-After"] = str(seconds)
    return response


def _found(link_id: str):
    """The link's record, or the page saying it is unknown (404) or withdrawn (410)."""
    record = shares.link(link_id)
    if record is None:
        return None, _public_page("verify/gone.html", 404, **gone("unknown"))
    if record["withdrawn"]:
        return None, _public_page("verify/gone.html", 410, **gone("withdrawn"))
    return record, None


# Per visitor address: a public page is no way to try link ids or load the portal.
rate_limited = limiter.limit(_verify_limit, key_func=get_remote_address, on_breach=_too_many)


@bp.get("/verify/<link_id>")
@rate_limited
def show(link_id: str):
    record, answer = _found(link_id)
    if answer is not None:
        return answer
    return _public_page("verify/show.html", indexable=record["indexable"], **page(record))


@bp.get("/verify/<link_id>/credential.jwt")
@rate_limited
def credential(link_id: str):
    """The shared certificate's Open Badges credential, for a wallet or a verifier."""
    record, answer = _found(link_id)
    if answer is not None:
        return answer
    response = Response(record["credential"], mimetype=open_badges.MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{link_id}.jwt"'
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/.well-known/did.json")
def did_document():
    """The issuer's did:web document: every key its credentials were signed with."""
    response = current_app.json.response(credential_keys.did_document())
    response.mimetype = "application/did+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/credentials/status/1")
def status_list():
    """The Bitstring Status List credential the shared certificates' credentials point to."""
    response = Response(open_badges.status_list_credential(), mimetype=open_badges.MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/account/links/<link_id>/withdraw")
@login_required
def withdraw(link_id: str):
    """Withdraw one of the learner's links, after a confirmation; another learner's link is
    not found."""
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render("verify/withdraw.html", "verify/_links.html", status=400, links=_links())
    record = shares.link(link_id)
    if record is None or record["learner"] != current_user.id:
        return render("verify/withdraw.html", "verify/_links.html", status=404, links=_links())
    if form.confirm.data != "1":
        return render(
            "verify/withdraw.html", "verify/_links.html", links=_links(), confirming=record["id"]
        )
    shares.withdraw(current_user.id, link_id)
    message = _(
        "The link to “%(title)s” was withdrawn: it no longer verifies.", title=record["title"]
    )
    if not wants_fragment():
        flash(message, "success")
        return see_other(url_for("account.index", _anchor="shared-links"))
    return render("verify/withdraw.html", "verify/_links.html", links=_links(), message=message)


def _links() -> list[dict]:
    return links(current_user.id) if current_user.is_authenticated else []


@bp.app_context_processor
def _verify_globals() -> dict:
    return {"shared_links": _links}
