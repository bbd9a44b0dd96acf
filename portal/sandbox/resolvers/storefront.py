"""What the instance's pages show beside its courses: store products sold with them
(RelatedProducts) and the items of its news feeds (RssItems)."""

from __future__ import annotations

import sqlite3
from urllib.parse import urljoin

from ariadne import ObjectType
from flask import current_app

from ..store import Store, loads
from .common import BadInput, ctx, query

product_type = ObjectType("Product")
MAX_IDS = 100


def product_dict(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "asset": row["asset"],
        "longDescription": row["long_description"],
        "priceInCents": row["price_in_cents"],
        "suggestedRetailPriceInCents": row["suggested_retail_price_in_cents"],
        "language": row["language"],
        "status": row["status"],
        "purchasable": bool(row["purchasable"]),
        "alternativePricingType": None,
        "alternativePricingRef": None,
    }


def related_products(store: Store, sources: list[str]) -> list[dict]:
    """Products sold with any of the sources (content items or products), best first: those
    related to most of them, then in each source's own order; never a source itself."""
    marks = ",".join("?" * len(sources))
    rows = store.query(
        f"SELECT products.*, COUNT(*) AS shared, MIN(product_relations.position) AS first "
        f"FROM product_relations JOIN products ON products.id = product_relations.product_id "
        f"WHERE product_relations.source_id IN ({marks}) AND products.id NOT IN ({marks}) "
        f"AND products.status = 'published' "
        f"GROUP BY products.id ORDER BY shared DESC, first, products.name",
        *sources,
        *sources,
    )
    return [product_dict(row) for row in rows]


def _ids(values, name: str) -> list[str]:
    values = list(dict.fromkeys(str(v) for v in values))
    if len(values) > MAX_IDS:
        raise BadInput(f"{name} takes at most {MAX_IDS} ids.")
    return values


@query.field("RelatedProducts")
def resolve_related_products(_obj, info, courseIds, productIds):
    sources = _ids(courseIds, "courseIds") + _ids(productIds, "productIds")
    if not sources:
        return []
    return related_products(ctx(info).store, sources)


@product_type.field("relatedProducts")
def resolve_product_related(obj, info):
    return related_products(ctx(info).store, [obj["id"]])


@query.field("RssItems")
def resolve_rss_items(_obj, info, feedUrl):
    """The items of a feed the instance knows, newest first. The sandbox fetches nothing from
    the internet: another address is refused, naming the feeds it has."""
    store = ctx(info).store
    rows = store.query(
        "SELECT * FROM rss_items WHERE feed_url = ? ORDER BY published_at DESC, title",
        feedUrl.strip(),
    )
    if not rows:
        known = [r[0] for r in store.query("SELECT DISTINCT feed_url FROM rss_items ORDER BY 1")]
        raise BadInput(
            "This sandbox reads no feed from the internet; the feeds it has: "
            + (", ".join(known) or "none")
            + "."
        )
    return [
        {
            "id": row["id"],
            "title": row["title"],
            # Items announcing the instance's own pages link to them where it is reached.
            "link": urljoin(current_app.extensions["sandbox"].public_address() + "/", row["link"]),
            "description": row["description"],
            "author": row["author"],
            "categories": loads(row["categories"], []),
            "date": row["published_at"],
            "imageUrl": row["image_url"],
            "imageAltTitle": row["image_alt_title"],
        }
        for row in rows
    ]
