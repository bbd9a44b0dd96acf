"""The catalog: browse and search content; spend credits on paid courses after confirming."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal.cards import progress_for
from portal.catalog.forms import RedeemForm
from portal.catalog.present import (
    catalog_page,
    catalog_variables,
    find_course,
    is_uuid,
    redeem_with_credits,
)
from portal.catalog.state import parse_filters
from portal.forms import OUTAGE_ERRORS, outage_of, render_form
from portal.htmx import render, see_other, wants_fragment
from portal.navigation import home_url
from portal.widgets import fetch

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("")
@login_required
def index():
    filters = parse_filters(request.args)
    canonical = url_for("catalog.index", **filters.args())
    if not wants_fragment() and "" in request.args.values():
        # A form sent without JavaScript leaves empty fields: the same view at its clean URL.
        return redirect(canonical)
    data, error = fetch("CatalogPage", **catalog_variables(filters))
    context = {"catalog_items": []} if error else catalog_page(data)
    if not error:
        full_page = not wants_fragment()
        context["progress_pending"] = progress_for(context["catalog_items"], full_page=full_page)
    response = render(
        "catalog/index.html", "catalog/_list.html", filters=filters, error=error, **context
    )
    if wants_fragment():
        response.headers["HX-Push-Url"] = canonical
    return response


def _course(content_id: str, filters) -> dict:
    if not is_uuid(content_id):
        abort(404)
    return find_course(content_id, filters) or abort(404)


@bp.route("/<content_id>/redeem", methods=["GET", "POST"])
@login_required
def redeem(content_id: str):
    filters = parse_filters(request.args)
    form, problem, outage = RedeemForm(), None, None
    try:
        context = _course(content_id, filters)
    except OUTAGE_ERRORS as exc:
        if request.method != "POST":
            raise
        context, outage = _course_as_shown(content_id), outage_of(exc)
    if outage is None and form.validate_on_submit():
        try:
            _url, problem = redeem_with_credits(context)
        except OUTAGE_ERRORS as exc:
            outage = outage_of(exc)
        else:
            if problem is None:
                flash(_("%(title)s is now yours.", title=context["item"]["title"]), "success")
                return see_other(context["item"].get("page_url") or home_url())
    return render_form(
        "catalog/redeem.html",
        "catalog/_redeem.html",
        outage=outage,
        form=form,
        filters=filters,
        problem=problem,
        **context,
    )


def _course_as_shown(content_id: str) -> dict:
    """The course as the confirm form showed it, while the instance cannot say more."""
    item = {
        "id": content_id,
        "title": request.form.get("title", "")[:500],
        "price": request.form.get("price", "")[:100] or None,
        "owned": False,
        "purchasable": True,
    }
    return {"item": item, "credits_enabled": True, "balance": None}
