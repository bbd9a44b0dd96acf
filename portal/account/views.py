"""The account area: profile, credits, licenses (switch the active one) and codes."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal import api, code_checks
from portal.account.forms import CodeForm, RedeemForm, SeveralCodesForm, license_form
from portal.account.present import (
    account,
    check_code,
    redeem_code,
    redeem_several,
    select_license,
)
from portal.code_checks import MAX_SEVERAL, split_codes
from portal.errors import limit_retry_seconds
from portal.forms import OUTAGE_ERRORS, Outage, outage_of, render_form
from portal.htmx import render, see_other, wants_fragment
from portal.navigation import home_url
from portal.widgets import attempt

bp = Blueprint("account", __name__, url_prefix="/account")


def _account_context(**form_data) -> dict:
    data, error = attempt(api.run, "AccountPage")
    if error:
        return {
            "error": error.message,
            "error_kind": error,
            "user": {},
            "licenses": [],
            "form": None,
        }
    context = account(data)
    form = license_form(context["licenses"], context["active_id"], **form_data)
    return {"error": None, "form": form, **context}


@bp.get("")
@login_required
def index():
    return render("account/index.html", "account/_account.html", **_account_context())


@bp.post("/license")
@login_required
def license():
    context = _account_context()
    form, outage = context["form"], None
    if context["error"]:
        # The licenses could not be listed: the choice comes back as sent, to send again.
        outage = _outage_of_listing(context)
    elif form.validate_on_submit():
        try:
            selected = select_license(form.license_id.data)
        except OUTAGE_ERRORS as exc:
            outage = outage_of(exc)
        else:
            if selected:
                message = _("Your active license is now %(name)s.", name=_name(context, form))
                if not wants_fragment():
                    flash(message, "success")
                    return see_other(url_for("account.index"))
                return render(
                    "account/index.html",
                    "account/_licenses.html",
                    notice=message,
                    **_account_context(),
                )
            form.license_id.errors = [_("That license could not be made active. Choose another.")]
    return render_form(
        "account/index.html", "account/_licenses.html", status=422, outage=outage, **context
    )


def _outage_of_listing(context: dict):
    error = context.pop("error_kind")
    context["form"] = license_form([], None)
    return outage_of(error)


def _name(context: dict, form) -> str:
    return next(
        (item["name"] for item in context["licenses"] if item["id"] == form.license_id.data), ""
    )


def _codes_page(
    fragment: str, status: int, outage, form, check=None, confirm=None, several=None, **context
):
    """The codes page, or the part of it one of its forms changed: the single code's check
    (with the form confirming a valid one), or the several codes with what became of them."""
    return render_form(
        "account/codes.html",
        fragment,
        status=status,
        outage=outage,
        form=form,
        check=check,
        confirm=confirm,
        several=SeveralCodesForm(formdata=None) if several is None else several,
        **context,
    )


def _too_many_checks(limit):
    """Codes checked too often: the form that was sent comes back as typed, with when to
    come back (the limit's own reset)."""
    seconds = limit_retry_seconds(limit)
    outage = Outage(429, code_checks.too_many_message(seconds), seconds)
    if request.endpoint == "account.redeem_several_codes":
        return _codes_page("account/_several_codes.html", 429, outage, CodeForm(formdata=None),
                           several=SeveralCodesForm())  # fmt: skip
    form = CodeForm()
    if request.endpoint == "account.redeem":
        form = CodeForm(formdata=None, kind=request.form.get("kind"), code=request.form.get("code"))
    return _codes_page("account/_code_result.html", 429, outage, form)


@bp.route("/codes", methods=["GET", "POST"])
@login_required
@code_checks.limited(_too_many_checks)
def codes():
    form, check, outage = CodeForm(), None, None
    if form.validate_on_submit():
        try:
            check = check_code(form.kind.data, form.code.data)
        except OUTAGE_ERRORS as exc:
            outage = outage_of(exc)
        else:
            if not check.valid:
                form.code.errors = [check.message]
    status = 422 if request.method == "POST" and not (check and check.valid) else 200
    confirm = RedeemForm(formdata=None, kind=form.kind.data, code=form.code.data)
    return _codes_page("account/_code_result.html", status, outage, form, check, confirm)


@bp.post("/codes/several")
@login_required
@code_checks.limited(_too_many_checks)
def redeem_several_codes():
    several, outcomes, outage = SeveralCodesForm(), None, None
    if several.validate_on_submit():
        codes = split_codes(several.codes.data)
        if len(codes) > MAX_SEVERAL:
            several.codes.errors = [_("Enter at most %(max)d codes at once.", max=MAX_SEVERAL)]
        else:
            try:
                outcomes = redeem_several(codes)
            except OUTAGE_ERRORS as exc:
                outage = outage_of(exc)
    status = 200 if outcomes is not None else 422
    return _codes_page(
        "account/_several_codes.html",
        status,
        outage,
        CodeForm(formdata=None),
        several=several,
        outcomes=outcomes,
    )


@bp.post("/codes/redeem")
@login_required
@code_checks.limited(_too_many_checks)
def redeem():
    form, outage = RedeemForm(), None
    code_form = CodeForm(formdata=None, kind=form.kind.data, code=form.code.data)
    if form.validate_on_submit():
        try:
            check = check_code(form.kind.data, form.code.data)
            redeemed = check.valid and redeem_code(form.code.data)
        except OUTAGE_ERRORS as exc:
            outage = outage_of(exc)
        else:
            if redeemed:
                flash(_("The code %(code)s was redeemed.", code=form.code.data), "success")
                return see_other(home_url())
            code_form.code.errors = [
                check.message if not check.valid else _("This code could not be redeemed.")
            ]
    else:
        code_form.code.errors = [_("Enter the code again and check it before redeeming it.")]
    return _codes_page("account/_code_result.html", 422, outage, code_form)
