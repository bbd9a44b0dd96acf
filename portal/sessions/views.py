"""Ending the learner's sessions from the Account page: one of them, or all of them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal import session_registry, single_sign_on
from portal.api import budget

bp = Blueprint("sessions", __name__, url_prefix="/account/sessions")


@bp.post("/<session_id>/end")
@budget.first
@login_required
def end(session_id: str):
    outcome = session_registry.end(session_id[:64])
    if outcome == session_registry.CURRENT:
        return _signed_out()
    if outcome:
        flash(_("That session was signed out."), "success")
    else:
        flash(_("That session had already ended."), "info")
    return redirect(url_for("account.index", _anchor="sessions"), 303)


@bp.post("/end-all")
@budget.first
@login_required
def end_all():
    session_registry.end_all()
    return _signed_out()


def _signed_out():
    return single_sign_on.sign_out()
