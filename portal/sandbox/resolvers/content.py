"""The learner's content: items, groups, recent, waitlist, archives, catalog, credit purchases."""

from __future__ import annotations

import sqlite3

from ..store import Store, new_id, now
from .common import (
    EVENT_KINDS,
    BadInput,
    Forbidden,
    NotFound,
    Search,
    checked_limit,
    content_by_id,
    content_dicts,
    content_type,
    ctx,
    mutation,
    query,
)

RECENT_MAX = 25
CATALOG_PAGE_SIZE = 20
ENROLLED = (
    "SELECT content.*, enrollments.status AS enrollment_status, enrollments.due_date, "
    "enrollments.source, enrollments.last_viewed_at, enrollments.enrolled_at, "
    "enrollments.archived_at, enrollments.archive_id, enrollments.reinstatable, "
    "enrollments.expires_at "
    "FROM enrollments JOIN content ON content.id = enrollments.content_id "
    "WHERE enrollments.user_id = ? AND content.is_active = 1 "
)
# A sort column -> the Content field (or enrollment column) it orders by.
SORT_KEYS = {
    "title": "title",
    "name": "title",
    "label": "title",
    "createdAt": "createdAt",
    "updatedAt": "updatedAt",
    "publishDate": "publishDate",
    "courseStartDate": "courseStartDate",
    "displayDate": "displayDate",
    "parentName": "courseGroup",
    "lastActiveAt": "_lastViewedAt",
}
REDEEMABLE_KINDS = (
    "course",
    "courseGroup",
    "microCourse",
    "article",
    "video",
    "webinar",
    "webinarCourse",
    "inPersonEvent",
    "inPersonEventCourse",
    "shareableContentObject",
    "xApiObject",
)


def _with_enrollment(store: Store, rows: list[sqlite3.Row]) -> list[dict]:
    items = content_dicts(store, rows)
    for item, row in zip(items, rows, strict=True):
        item["_lastViewedAt"] = row["last_viewed_at"]
        item["_enrollmentStatus"] = row["enrollment_status"]
        item["_displayOrder"] = row["display_order"]
    return items


def sort_items(items: list[dict], column: str | None, direction: str | None, search: Search):
    """Sort by a SortColumn; missing values go last whichever the direction."""
    reverse = direction == "desc"
    if column == "relevance" and search.text:

        def rank(item):
            title = (item["title"] or "").lower()
            return (0 if title.startswith(search.text) else 1, title)

        items.sort(key=rank, reverse=reverse)
        return items
    key = SORT_KEYS.get(column or "")
    if key is None:  # no column or relevance without text: the instance's display order
        items.sort(key=lambda i: (i["_displayOrder"], (i["title"] or "").lower()), reverse=reverse)
        return items

    def value(item):
        raw = item.get(key)
        return raw.lower() if isinstance(raw, str) else raw

    present = [i for i in items if value(i) is not None]
    missing = [i for i in items if value(i) is None]
    present.sort(key=lambda i: (i["title"] or "").lower())
    present.sort(key=value, reverse=reverse)
    return present + missing


def user_content_items(store: Store, user_id: str, search: Search, kinds=None) -> list[dict]:
    rows = store.query(ENROLLED + "AND enrollments.archived_at IS NULL", user_id)
    items = [i for i in _with_enrollment(store, rows) if search.matches(i)]
    if kinds:
        items = [i for i in items if i["kind"] in kinds]
    return items


def archived_items(store: Store, user_id: str) -> list[dict]:
    rows = store.query(
        ENROLLED + "AND enrollments.archived_at IS NOT NULL ORDER BY enrollments.archived_at DESC",
        user_id,
    )
    return _with_enrollment(store, rows)


def waitlist_items(store: Store, user_id: str) -> list[dict]:
    rows = store.query(
        "SELECT content.* FROM waitlist JOIN content ON content.id = waitlist.content_id "
        "WHERE waitlist.user_id = ? AND content.is_active = 1 ORDER BY waitlist.created_at",
        user_id,
    )
    return content_dicts(store, rows)


@query.field("UserContentItems")
def resolve_user_content_items(
    _obj, info, query=None, kind=None, sortColumn=None, sortDirection=None, sortdeprecated=None
):
    context = ctx(info)
    user = context.require_user()
    search = Search.parse(query)
    items = user_content_items(context.store, user["id"], search, kind)
    return sort_items(items, sortColumn, sortDirection, search)


@query.field("UserContentGroups")
def resolve_user_content_groups(_obj, info, query=None, includeExpiredCertificates=False):
    from .certificates import user_certificates

    context = ctx(info)
    user = context.require_user()
    store, search = context.store, Search.parse(query)
    items = user_content_items(store, user["id"], search)
    counts = {
        "contentItems": len(items),
        "completedItems": sum(1 for i in items if i["_enrollmentStatus"] == "completed"),
        "certificates": len(
            user_certificates(store, user, search.text or None, bool(includeExpiredCertificates))
        ),
        "learningPaths": sum(1 for i in items if i["kind"] == "learningPath"),
        "eventItems": sum(1 for i in items if i["kind"] in EVENT_KINDS),
        "bookmarkFolders": len(
            {
                item["id"]
                for item in content_dicts(
                    store,
                    store.query(
                        "SELECT content.* FROM bookmarks "
                        "JOIN content ON content.id = bookmarks.content_id "
                        "WHERE bookmarks.user_id = ? AND content.is_active = 1",
                        user["id"],
                    ),
                )
                if search.matches(item)
            }
        ),
        "waitlistedCourses": sum(1 for i in waitlist_items(store, user["id"]) if search.matches(i)),
        "archivedContentItems": sum(
            1 for i in archived_items(store, user["id"]) if search.matches(i)
        ),
    }
    return [{"kind": kind, "count": count} for kind, count in counts.items()]


@query.field("UserRecentContent")
def resolve_user_recent_content(_obj, info, limit=None):
    limit = checked_limit(limit, default=RECENT_MAX, maximum=RECENT_MAX)
    context = ctx(info)
    user = context.require_user()
    rows = context.store.query(
        ENROLLED + "AND enrollments.archived_at IS NULL AND enrollments.last_viewed_at IS NOT NULL "
        "ORDER BY enrollments.last_viewed_at DESC LIMIT ?",
        user["id"],
        limit,
    )
    return _with_enrollment(context.store, rows)


@query.field("UserWaitlist")
def resolve_user_waitlist(_obj, info):
    context = ctx(info)
    return waitlist_items(context.store, context.require_user()["id"])


@mutation.field("UnenrollFromWaitlist")
def resolve_unenroll_from_waitlist(_obj, info, id):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    content_by_id(context.store, id)
    removed = context.store.execute(
        "DELETE FROM waitlist WHERE user_id = ? AND content_id = ?", user["id"], id
    ).rowcount
    return removed > 0


@query.field("UserArchivedContent")
def resolve_user_archived_content(_obj, info):
    context = ctx(info)
    return archived_items(context.store, context.require_user()["id"])


@query.field("UserArchives")
def resolve_user_archives(_obj, info):
    context = ctx(info)
    user = context.require_user()
    waitlisted = {
        r["content_id"]
        for r in context.store.query(
            "SELECT content_id FROM waitlist WHERE user_id = ?", user["id"]
        )
    }
    rows = context.store.query(
        ENROLLED + "AND enrollments.archived_at IS NOT NULL ORDER BY enrollments.archived_at DESC",
        user["id"],
    )
    return [
        {
            "id": row["archive_id"],
            "name": row["title"],
            "resourceType": "LearningPath" if row["kind"] == "learningPath" else "Course",
            "status": "archived",
            "archivedAt": row["archived_at"],
            "reinstatable": bool(row["reinstatable"]),
            "waitlistActive": row["id"] in waitlisted,
            "user": user["id"],
            "resource": row["id"],
        }
        for row in rows
    ]


def _enrollment(store: Store, user_id: str, ident: str, learning_path: bool) -> sqlite3.Row:
    """The enrollment named by a content id or an archive id, of the right kind."""
    row = store.one(
        "SELECT enrollments.*, content.kind FROM enrollments "
        "JOIN content ON content.id = enrollments.content_id "
        "WHERE enrollments.user_id = ? "
        "AND (enrollments.content_id = ? OR enrollments.archive_id = ?)",
        user_id,
        ident,
        ident,
    )
    if row is None:
        raise NotFound("You are not enrolled in any content with this id.")
    if (row["kind"] == "learningPath") != learning_path:
        expected = "a learning path" if learning_path else "a course"
        raise BadInput(f"This id is not {expected}.")
    return row


def _archive(info, ident: str, learning_path: bool) -> str:
    context = ctx(info)
    user = context.require_user()
    row = _enrollment(context.store, user["id"], ident, learning_path)
    if row["archived_at"]:
        return row["archive_id"]
    archive_id = new_id()
    context.store.execute(
        "UPDATE enrollments SET archived_at = ?, archive_id = ? "
        "WHERE user_id = ? AND content_id = ?",
        now(),
        archive_id,
        user["id"],
        row["content_id"],
    )
    return archive_id


def _reinstate(info, ident: str, learning_path: bool) -> str:
    context = ctx(info)
    user = context.require_user()
    row = _enrollment(context.store, user["id"], ident, learning_path)
    if not row["archived_at"]:
        return row["content_id"]
    if not row["reinstatable"]:
        raise Forbidden("This content can no longer be reinstated.")
    context.store.execute(
        "UPDATE enrollments SET archived_at = NULL, archive_id = NULL "
        "WHERE user_id = ? AND content_id = ?",
        user["id"],
        row["content_id"],
    )
    return row["content_id"]


@mutation.field("ArchiveUserCourse")
def resolve_archive_course(_obj, info, id):  # noqa: A002
    return _archive(info, id, learning_path=False)


@mutation.field("ArchiveUserLearningPath")
def resolve_archive_path(_obj, info, id):  # noqa: A002
    return _archive(info, id, learning_path=True)


@mutation.field("ReinstateUserCourse")
def resolve_reinstate_course(_obj, info, id):  # noqa: A002
    return _reinstate(info, id, learning_path=False)


@mutation.field("ReinstateUserLearningPath")
def resolve_reinstate_path(_obj, info, id):  # noqa: A002
    return _reinstate(info, id, learning_path=True)


def visible_content_sql(client_id: str | None) -> tuple[str, list]:
    """Listed content: Public and Paid, plus Private granted to the client; never Hidden."""
    sql = "SELECT * FROM content WHERE is_active = 1 AND (visibility IN (1, 4)"
    params: list = []
    if client_id:
        sql += (
            " OR (visibility = 3 AND (id IN (SELECT item_id FROM client_access WHERE client_id = ? "
            "AND list IN ('course', 'learningPath', 'purchasableContent')) OR id IN "
            "(SELECT content_id FROM content_tags WHERE tag_id IN (SELECT item_id FROM "
            "client_access WHERE client_id = ? AND list IN ('courseTag', 'purchasableTag')))))"
        )
        params += [client_id, client_id]
    return sql + ")", params


def can_see(store: Store, row: sqlite3.Row, client_id: str | None) -> bool:
    if not row["is_active"]:
        return False
    if row["visibility"] != 3:
        return True  # Public, Paid, and Hidden by its id or slug
    sql, params = visible_content_sql(client_id)
    return bool(store.scalar(f"SELECT 1 FROM ({sql}) WHERE id = ?", *params, row["id"]))


@query.field("CatalogContent")
def resolve_catalog_content(
    _obj,
    info,
    page,
    query=None,
    contentTypes=None,
    sortColumn=None,
    sortDirection=None,
    resultsDisplayType=None,
    **_ignored,
):
    if page < 1:
        raise BadInput("page must be 1 or more.")
    context = ctx(info)
    user = context.user()
    client_id = user["client_id"] if user else None
    store, search = context.store, Search.parse(query)
    sql, params = visible_content_sql(client_id)
    rows = store.query(sql, *params)
    if "slug" in search.filters:  # Hidden content is reachable by its slug only
        rows += [
            r
            for r in store.query(
                "SELECT * FROM content WHERE is_active = 1 AND visibility = 2 AND slug = ?",
                search.filters["slug"][0],
            )
        ]
    items = content_dicts(store, rows)
    for item, row in zip(items, rows, strict=True):
        item["_displayOrder"], item["_lastViewedAt"] = row["display_order"], None
    all_types = sorted({i["contentTypeLabel"] for i in items})
    if contentTypes:
        wanted = {t.lower() for t in contentTypes}
        items = [
            i
            for i in items
            if i["kind"].lower() in wanted or i["contentTypeLabel"].lower() in wanted
        ]
    items = sort_items([i for i in items if search.matches(i)], sortColumn, sortDirection, search)
    start = (page - 1) * CATALOG_PAGE_SIZE
    column, direction = sortColumn or "relevance", sortDirection or "asc"
    return {
        "contentItems": items[start : start + CATALOG_PAGE_SIZE],
        "meta": {
            "aggregations": aggregations(items),
            "displayBundle": catalog_bundle(store),
            "selectedSort": f"{column}:{direction}",
            "debug": False,
            "total": len(items),
            "hasMore": start + CATALOG_PAGE_SIZE < len(items),
            "contentTypes": all_types,
            "contentTypeFilterEnabled": True,
            "displayAuthorsEnabled": True,
            "displayDescriptionOnCalendar": False,
            "displayStartDateEnabled": True,
            "displayTypeCalendarEnabled": False,
            "displayTypeGridEnabled": True,
            "displayTypeListEnabled": True,
            "isCurated": False,
            "queryCustomFields": {},
            "resultsDisplayType": resultsDisplayType or "grid",
            "selectedSortColumn": column,
            "selectedSortDirection": direction,
            "sortCourseStartDateEnabled": True,
            "sortCreatedAtEnabled": True,
            "sortPublishDateEnabled": True,
            "sortRelevanceEnabled": True,
            "sortTitleEnabled": True,
            "sortUpdatedAtEnabled": True,
            "tokenLabel": None,
        },
    }


def price_in_credits(store: Store, row: sqlite3.Row) -> float:
    if row["tariff_id"]:
        credits = store.scalar(
            "SELECT price_in_credits FROM tariffs WHERE id = ?", row["tariff_id"]
        )
        if credits is not None:
            return float(credits)
    return row["price_in_cents"] / 100


@mutation.field("RedeemBalance")
def resolve_redeem_balance(_obj, info, contentType, contentId):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    row = store.one("SELECT * FROM content WHERE id = ?", str(contentId))
    if row is None or not can_see(store, row, user["client_id"]):
        raise NotFound("No content with this id.")
    # The reference's enum names learningPaths too; seed 003 supports courses only.
    if contentType != "courses" or row["kind"] not in REDEEMABLE_KINDS:
        raise BadInput("Only courses can be bought with credits.")
    price = price_in_credits(store, row)
    with store.transaction() as db:
        if db.execute(
            "SELECT 1 FROM enrollments WHERE user_id = ? AND content_id = ?",
            (user["id"], row["id"]),
        ).fetchone():
            raise BadInput("You already have access to this content.")
        balance = db.execute("SELECT balance FROM users WHERE id = ?", (user["id"],)).fetchone()[0]
        if balance < price:
            raise BadInput(
                f"Not enough credits: this costs {price:g} and your balance is {balance:g}."
            )
        db.execute(
            "UPDATE users SET balance = balance - ?, updated_at = ? WHERE id = ?",
            (price, now(), user["id"]),
        )
        db.execute(
            "INSERT INTO enrollments (user_id, content_id, source, enrolled_at) "
            "VALUES (?, ?, 'credits', ?)",
            (user["id"], row["id"], now()),
        )
    return f"/learn/{row['slug']}" if row["kind"] in ("article", "video") else "/dashboard"


def aggregations(items: list[dict]) -> list[dict]:
    """The catalog's facets over the items found: topic, type and language, each bucket with
    its count and the search that narrows the catalog to it."""
    tags: dict[str, int] = {}
    kinds: dict[str, tuple[str, int]] = {}
    languages: dict[str, int] = {}
    for item in items:
        for tag in item["tags"]:
            tags[tag["label"]] = tags.get(tag["label"], 0) + 1
        label, count = kinds.get(item["kind"], (item["contentTypeLabel"], 0))
        kinds[item["kind"]] = (label, count + 1)
        if item["language"]:
            languages[item["language"]] = languages.get(item["language"], 0) + 1

    def bucket(value: str, label: str, count: int, query: str) -> dict:
        return {"value": value, "label": label, "count": count, "query": query,
                "description": None}  # fmt: skip

    def by_count(pairs):
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))

    return [
        {
            "key": "tags",
            "label": "Topic",
            "buckets": [bucket(t, t, n, f'tags:"{t}"') for t, n in by_count(tags.items())],
        },
        {
            "key": "kind",
            "label": "Type",
            "buckets": [
                bucket(kind, label, n, f"kind:{kind}")
                for kind, (label, n) in sorted(kinds.items(), key=lambda p: (-p[1][1], p[0]))
            ],
        },
        {
            "key": "language",
            "label": "Language",
            "buckets": [
                bucket(code, code, n, f"language:{code}") for code, n in by_count(languages.items())
            ],
        },
    ]


def catalog_bundle(store: Store) -> dict | None:
    """The subscription bundle the catalog offers beside its items, if any."""
    row = store.one("SELECT * FROM bundles WHERE in_catalog = 1 ORDER BY slug LIMIT 1")
    if row is None:
        return None
    return {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "priceInCents": row["price_in_cents"],
        "annualPriceInCents": row["annual_price_in_cents"],
        "planId": row["plan_id"],
        "annualPlanId": row["annual_plan_id"],
        "purchasable": True,
        "taxable": True,
        "needShippingAddress": False,
        "variations": [],
        "weight": None,
    }


@query.field("QueryContents")
def resolve_query_contents(_obj, info, ids):
    """The items of these ids the caller may see, in the order asked; others are left out."""
    context = ctx(info)
    user = context.user()
    client_id = user["client_id"] if user else None
    wanted = list(dict.fromkeys(str(i) for i in ids))[:CATALOG_PAGE_SIZE * 5]
    rows = []
    for content_id in wanted:
        row = context.store.one("SELECT * FROM content WHERE id = ?", content_id)
        if row is not None and can_see(context.store, row, client_id):
            rows.append(row)
    return content_dicts(context.store, rows)


def may_queue(store: Store, row: sqlite3.Row, user: sqlite3.Row) -> str | None:
    """Why the learner may not add this item to their content, or None when they may."""
    if not can_see(store, row, user["client_id"]):
        return "not_found"
    if row["kind"] not in REDEEMABLE_KINDS + ("learningPath",):
        return "kind"
    if row["price_in_cents"] or row["visibility"] == 4:
        return "paid"
    return None


@content_type.field("canAddToQueue")
def resolve_can_add_to_queue(obj, info):
    context = ctx(info)
    user = context.user()
    if user is None or obj["id"] in context.enrollment_statuses():
        return False
    return may_queue(context.store, obj["_row"], user) is None


@mutation.field("AddResourceToQueue")
def resolve_add_resource_to_queue(_obj, info, resourceId, resourceType=None):
    """Add a free item to the learner's own content, not started, as TI's "Add to queue"."""
    context = ctx(info)
    user = context.require_user()
    store = context.store
    row = store.one("SELECT * FROM content WHERE id = ?", str(resourceId))
    refusal = "not_found" if row is None else may_queue(store, row, user)
    if refusal == "not_found":
        raise NotFound("No content with this id.")
    if resourceType is not None and resourceType != row["kind"]:
        raise BadInput(f"This content is a {row['kind']}, not a {resourceType}.")
    if refusal == "kind":
        raise BadInput("This kind of content cannot be added to your content.")
    if refusal == "paid":
        raise Forbidden("This content must be bought before it can be added.")
    store.execute(
        "INSERT OR IGNORE INTO enrollments (user_id, content_id, source, enrolled_at) "
        "VALUES (?, ?, 'queued', ?)",
        user["id"],
        row["id"],
        now(),
    )
    return True
