"""The account area: profile, credits, licenses (switch the active one) and codes."""

from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal.account.forms import CodeForm, RedeemForm, license_form
from portal.account.present import account, check_code, redeem_code, select_license
from portal.htmx import render, see_other, wants_fragment
from portal.navigation import home_url
from portal.widgets import attempt, fetch

bp = Blueprint("account", __name__, url_prefix="/account")


def _account_context(**form_data) -> dict:
    data, error = fetch("AccountPage")
    if error:
        return {"error": error, "user": {}, "licenses": [], "form": None}
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
    form = context["form"]
    if form is not None and form.validate_on_submit():
        if select_license(form.license_id.data):
            message = _("Your active license is now %(name)s.", name=_name(context, form))
            if not wants_fragment():
                flash(message, "success")
                return see_other(url_for("account.index"))
            return render(
                "account/index.html", "account/_licenses.html", notice=message, **_account_context()
            )
        form.license_id.errors = [_("That license could not be made active. Choose another.")]
    status = 503 if context["error"] else 422
    return render("account/index.html", "account/_licenses.html", status=status, **context)


def _name(context: dict, form) -> str:
    return next(
        (item["name"] for item in context["licenses"] if item["id"] == form.license_id.data), ""
    )


@bp.route("/codes", methods=["GET", "POST"])
@login_required
def codes():
    form, check = CodeForm(), None
    if form.validate_on_submit():
        check, error = attempt(check_code, form.kind.data, form.code.data)
        if error or not check.valid:
            form.code.errors = [error.message if error else check.message]
    status = 422 if request.method == "POST" and not (check and check.valid) else 200
    return render(
        "account/codes.html",
        "account/_code_result.html",
        status=status,
        form=form,
        check=check,
        confirm=RedeemForm(formdata=None, kind=form.kind.data, code=form.code.data),
    )


@bp.post("/codes/redeem")
@login_required
def redeem():
    form = RedeemForm()
    code_form = CodeForm(formdata=None, kind=form.kind.data, code=form.code.data)
    if form.validate_on_submit():
        check = check_code(form.kind.data, form.code.data)
        if check.valid and redeem_code(form.code.data):
            flash(_("The code %(code)s was redeemed.", code=form.code.data), "success")
            return see_other(home_url())
        code_form.code.errors = [
            check.message if not check.valid else _("This code could not be redeemed.")
        ]
    else:
        code_form.code.errors = [_("Enter the code again and check it before redeeming it.")]
    return render(
        "account/codes.html",
        "account/_code_result.html",
        status=422,
        form=code_form,
        check=None,
        confirm=None,
    )
