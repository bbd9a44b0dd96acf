"""Catalog items as the catalog shows them: kind, image, price, and whether credits can get them."""

from __future__ import annotations

import re

from flask import url_for
from flask_babel import format_currency, gettext

from portal import api, cards
from portal.api.errors import BadInput, Forbidden, NotFound
from portal.formats import credits
from portal.urls import instance_url

# How far the confirm step looks for a course that is not on the page the learner came from.
MAX_SCAN_PAGES = 10

UUID = re.compile(r"[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}")


def is_uuid(value) -> bool:
    return isinstance(value, str) and UUID.fullmatch(value) is not None


def _item(raw: dict, owned: set, currency: str, credits_enabled: bool = True) -> dict:
    price = raw.get("priceInCents") or 0
    kind = raw.get("kind")
    found = {
        "owned": raw.get("id") in owned,
        # Only courses can be bought with credits (BalanceContentType has `courses` only).
        "purchasable": price > 0 and kind == "course" and is_uuid(raw.get("id")),
    }
    buys = found["purchasable"] and not found["owned"] and credits_enabled
    buy_url = url_for("catalog.redeem", content_id=raw["id"]) if buys else None
    return {
        **cards.card(raw, buy_url=buy_url),
        **found,
        "kind_label": raw.get("contentTypeLabel") or cards.kind_label(kind),
        "price": format_currency(price / 100, currency) if price > 0 else None,
    }


def catalog_page(data: dict) -> dict:
    """A `CatalogPage` answer as the page shows it: `catalog_items`, `has_more`, `total`, the
    learner's balance...

    Not `items`: base.html sets a variable of that name for its menu, which blocks would see.
    """
    user = data.get("CurrentUser") or {}
    owned = {p.get("courseId") for p in user.get("purchasedCourses") or [] if p}
    currency = user.get("preferredCurrency") or "USD"
    catalog = data.get("CatalogContent") or {}
    meta = catalog.get("meta") or {}
    # An organization may turn buying with credits off; only an explicit False does.
    credits_enabled = (user.get("client") or {}).get("enableCreditPurchasing") is not False
    return {
        "catalog_items": [
            _item(raw, owned, currency, credits_enabled)
            for raw in catalog.get("contentItems") or []
            if raw
        ],
        "has_more": bool(meta.get("hasMore")),
        "meta": meta,
        "total": meta.get("total"),
        "balance": credits(user.get("balance")),
        "currency": currency,
        "owned_ids": owned,
        "credits_enabled": credits_enabled,
    }


def find_course(content_id: str, filters) -> dict | None:
    """The catalog page the learner came from, with the course as `item`; None if not found."""
    context = catalog_page(api.run("CatalogPage", **catalog_variables(filters)))
    item = _find(context["catalog_items"], content_id)
    scanned = 0
    while item is None and scanned < MAX_SCAN_PAGES:
        scanned += 1
        catalog = api.run("CatalogContent", page=scanned).get("CatalogContent") or {}
        raw = [r for r in catalog.get("contentItems") or [] if r and r.get("id") == content_id]
        item = (
            _item(raw[0], context["owned_ids"], context["currency"], context["credits_enabled"])
            if raw
            else None
        )
        if not (catalog.get("meta") or {}).get("hasMore"):
            break
    return {**context, "item": item} if item else None


def catalog_variables(filters) -> dict:
    """CatalogContent's arguments for the learner's filters, the search narrowed to their
    language when their client asks for it."""
    return {**filters.variables(), "query": language_query(filters.query) or None}


def language_query(query: str | None) -> str | None:
    """The search, narrowed to the learner's language when their client filters by it."""
    from portal import learner_context
    from portal.i18n import current_locale

    if not learner_context.filters_catalog_by_language():
        return query
    return " ".join(part for part in (query, f"language:{current_locale()}") if part)


def _find(items: list[dict], content_id: str) -> dict | None:
    return next((item for item in items if item["id"] == content_id), None)


def redeem_with_credits(context: dict) -> tuple[str | None, str | None]:
    """(URL to go to, None) when the course was bought; (None, why not) when refused."""
    item = context["item"]
    if item["owned"]:
        return None, gettext("This course is already yours. Nothing was spent.")
    if not (item["purchasable"] and context["credits_enabled"]):
        return None, gettext("This item cannot be bought with credits. Nothing was spent.")
    try:
        url = api.run("RedeemBalance", contentType="courses", contentId=item["id"])
    except BadInput as exc:
        text = exc.message.lower()
        if "credit" in text or "balance" in text or "enough" in text:
            return None, gettext(
                "You do not have enough credits for this course. Nothing was spent."
            )
        return None, gettext(
            "This course could not be bought with credits: %(reason)s", reason=exc.message
        )
    except (NotFound, Forbidden):
        return None, gettext("This course cannot be bought with credits. Nothing was spent.")
    return instance_url(url.get("RedeemBalance")) or "", None
