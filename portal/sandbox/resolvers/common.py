"""What the resolvers share: the request context, GraphQL errors with codes, row-to-type mappers."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLError

from .. import auth
from ..store import Store, loads, now

query = QueryType()
mutation = MutationType()
user_type = ObjectType("User")
content_type = ObjectType("Content")
course_type = ObjectType("Course")
learning_path_type = ObjectType("LearningPath")

ASPECT_RATIO = "16:9"  # of the demo's card images
EVENT_KINDS = ("webinar", "webinarCourse", "inPersonEvent", "inPersonEventCourse")
COURSE_KINDS = (
    "article", "courseGroup", "inPersonEvent", "inPersonEventCourse", "microCourse",
    "shareableContentObject", "video", "webinar", "webinarCourse", "xApiObject",
)  # fmt: skip
KIND_LABELS = {
    "learningPath": "Learning Path",
    "inPersonEvent": "In-Person Event",
    "inPersonEventCourse": "In-Person Event",
    "webinarCourse": "Webinar",
    "microCourse": "Micro Course",
    "courseGroup": "Course",
    "shareableContentObject": "SCORM",
    "xApiObject": "xAPI",
}


class ApiError(GraphQLError):
    """A resolver's refusal: the message the learner may read and its extensions.code."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str):
        super().__init__(message, extensions={"code": self.code})


class BadInput(ApiError):
    code = "BAD_USER_INPUT"


class NotFound(ApiError):
    code = "NOT_FOUND"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class InvalidCredentials(ApiError):
    code = "INVALID_CREDENTIALS"


class AccountDisabled(ApiError):
    code = "ACCOUNT_DISABLED"


class PasswordResetRequired(ApiError):
    code = "PASSWORD_RESET_REQUIRED"


class TooManyAttempts(ApiError):
    code = "TOO_MANY_ATTEMPTS"


def checked_limit(limit: int | None, *, default: int, maximum: int) -> int:
    """A list's `limit` argument: default when not given, else 1..maximum or BAD_USER_INPUT."""
    if limit is None:
        return default
    if limit < 1 or limit > maximum:
        raise BadInput(f"limit must be between 1 and {maximum}; got {limit}.")
    return limit


@dataclass
class Context:
    """One request: the store, the raw authToken header and the user it names (looked up once)."""

    store: Store
    token: str | None
    # What the HTTP answer carries besides the result: the token a Login issued (set as the
    # authToken cookie) and whether a Logout ended the caller's token (the cookie is cleared).
    issued_token: str | None = field(default=None, init=False)
    logged_out: bool = field(default=False, init=False)
    _user: sqlite3.Row | None = field(default=None, init=False)
    _looked_up: bool = field(default=False, init=False)
    _statuses: dict | None = field(default=None, init=False)

    def registered(self, user: sqlite3.Row) -> None:
        """A learner who registered in this operation (CreateLearner sent with the API key
        alone): the fields after it act for them, as the instance's sign-up does; a
        registration code redeemed there is used up at registration, not at a later sign-in."""
        if not self.token:
            self._user, self._looked_up, self._statuses = user, True, None

    def user(self) -> sqlite3.Row | None:
        """The learner of the token (or who registered in this operation); None without a
        token; an error for a bad one."""
        if not self._looked_up:
            self._looked_up = True
            if self.token:
                self._user = auth.user_for_token(self.store, self.token)
                if self._user is None:
                    raise Unauthenticated("Your session has expired. Please log in again.")
        return self._user

    def enrollment_statuses(self) -> dict[str, str]:
        """content id -> the learner's enrollment status, read once per request."""
        if self._statuses is None:
            user = self.user()
            self._statuses = (
                {}
                if user is None
                else {
                    row["content_id"]: row["status"]
                    for row in self.store.query(
                        "SELECT content_id, status FROM enrollments WHERE user_id = ?", user["id"]
                    )
                }
            )
        return self._statuses

    def require_user(self) -> sqlite3.Row:
        user = self.user()
        if user is None:
            raise Unauthenticated("You must be logged in to do this.")
        if user["disabled"]:
            raise Unauthenticated("This account is disabled.")
        return user


def ctx(info) -> Context:
    return info.context


def is_expired(date: str | None) -> bool:
    return bool(date) and date < now()


def parse_date(value: str, name: str) -> str:
    """An ISO 8601 date or date-time, normalised to TI's UTC form; anything else is bad input."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{name} must be an ISO 8601 date, like 2024-06-15.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    from ..store import iso

    return iso(moment)


# TI search syntax: field:"value" or field:value; the rest is free text.
FILTER = re.compile(r'(\w+):(?:"([^"]*)"|(\S+))')


@dataclass
class Search:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, query: str | None) -> Search:
        if not query:
            return cls()
        filters: dict[str, list[str]] = {}
        for match in FILTER.finditer(query):
            value = match.group(2) if match.group(2) is not None else match.group(3)
            filters.setdefault(match.group(1).lower(), []).append(value.lower())
        text = FILTER.sub(" ", query).strip().lower()
        return cls(text=" ".join(text.split()), filters=filters)

    def matches(self, item: dict) -> bool:
        """item is a Content dict (see content_dict)."""
        title = (item.get("title") or "").lower()
        if self.text and self.text not in title:
            return False
        for name, values in self.filters.items():
            if name == "tags":
                have = {(t["label"] or "").lower() for t in item.get("tags") or []}
            elif name == "authors":
                have = {(a or "").lower() for a in item.get("authors") or []}
            elif name in ("kind", "slug", "language"):
                have = {(item.get(name) or "").lower()}
            elif name == "title":
                if not all(v in title for v in values):
                    return False
                continue
            else:  # custom fields the sandbox does not keep match nothing
                return False
            if not all(any(v == h or v in h for h in have) for v in values):
                return False
        return True


def tags_by_content(store: Store, ids: list[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.query(
            f"SELECT content_tags.content_id, tags.id, tags.label FROM content_tags "
            f"JOIN tags ON tags.id = content_tags.tag_id "
            f"WHERE content_tags.content_id IN ({marks}) "
            f"ORDER BY tags.label",
            *chunk,
        ):
            found[row["content_id"]].append(
                {"id": row["id"], "label": row["label"], "isFolder": False, "updatedAt": None}
            )
    return found


def content_dicts(store: Store, rows: list[sqlite3.Row]) -> list[dict]:
    """Content objects for content rows (joined with enrollment columns when there are any)."""
    tags = tags_by_content(store, [r["id"] for r in rows])
    return [content_dict(store, row, tags[row["id"]]) for row in rows]


def content_dict(store: Store, row: sqlite3.Row, tags: list[dict] | None = None) -> dict:
    keys = row.keys()
    if tags is None:
        tags = tags_by_content(store, [row["id"]])[row["id"]]
    kind = row["kind"]
    data = {
        "id": row["id"],
        "title": row["title"],
        "slug": row["slug"],
        "kind": kind,
        "status": row["status"],
        "asset": row["asset"],
        "assetAltText": row["asset_alt_text"],
        "priceInCents": row["price_in_cents"],
        "isActive": bool(row["is_active"]),
        "courseStartDate": row["course_start_date"],
        "courseEndDate": row["course_end_date"],
        "enrollmentStartDate": row["enrollment_start_date"],
        "enrollmentEndDate": row["enrollment_end_date"],
        "meetingStartDate": row["course_start_date"] if kind in EVENT_KINDS else None,
        "timeZone": row["time_zone"],
        "publishDate": row["publish_date"],
        "displayDate": row["course_start_date"] or row["publish_date"] or row["created_at"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "currentUserDueDate": row["due_date"] if "due_date" in keys else None,
        "tags": tags,
        "authors": loads(row["authors"], []),
        "url": f"/learn/{row['slug']}",
        "description": row["description"] or row["short_description"],
        "seatsLimit": row["seats_limit"],
        "waitlistingEnabled": bool(row["waitlisting_enabled"]),
        "contentTypeLabel": KIND_LABELS.get(kind, kind[:1].upper() + kind[1:]),
        "courseGroup": row["group_name"],
        "language": row["language"],
        "source": row["source"] if "source" in keys else None,
        "freeWithRegistration": row["price_in_cents"] == 0 and row["visibility"] != 4,
        "currentUserUnmetCoursePrerequisites": [],
        "currentUserUnmetLearningPathPrerequisites": [],
        "courseGracePeriodEnded": bool(row["course_end_date"]) and row["course_end_date"] < now(),
        "coursePresold": False,
        "currentUserMayReschedule": False,
        "hideCourseDescription": False,
        "imageUrl": row["asset"],
        "contentTypeAssetAspectRatio": ASPECT_RATIO,
        "rating": row["rating"],
        "sessionTitle": row["session_title"],
        "sku": row["sku"],
        "metaTitle": row["meta_title"],
        "metaDescription": row["meta_description"],
        "suggestedRetailPriceInCents": row["suggested_retail_price_in_cents"],
        "customFields": loads(row["custom_fields"], {}),
        "bulkPurchasingEnabled": False,
        "embeddedEnabled": False,
        # The session a card opens (TI's display course): the item itself, a path has none.
        "displayCourse": None if kind == "learningPath" else row["id"],
        "displayCourseSlug": None if kind == "learningPath" else row["slug"],
        # When the learner's access ends, for items in their own lists.
        "expiresAt": row["expires_at"] if "expires_at" in keys else None,
        "_store": store,
        "_row": row,
    }
    if "enrollment_status" in keys:
        data["_enrollmentStatus"] = row["enrollment_status"]
    return data


def _count(store: Store, sql: str, content_id: str) -> int:
    return store.scalar(sql, content_id) or 0


@content_type.field("waitlistCount")
def resolve_waitlist_count(obj, _info):
    return _count(obj["_store"], "SELECT COUNT(*) FROM waitlist WHERE content_id = ?", obj["id"])


@content_type.field("enrollmentCount")
def resolve_enrollment_count(obj, _info):
    return _count(
        obj["_store"],
        "SELECT COUNT(*) FROM enrollments WHERE content_id = ? AND archived_at IS NULL",
        obj["id"],
    )


@content_type.field("waitlistingTriggered")
def resolve_waitlisting_triggered(obj, info):
    if not obj["waitlistingEnabled"] or obj["seatsLimit"] is None:
        return False
    return resolve_enrollment_count(obj, info) >= obj["seatsLimit"]


@content_type.field("hasChildren")
def resolve_has_children(obj, _info):
    return bool(
        _count(
            obj["_store"], "SELECT COUNT(*) FROM learning_path_items WHERE path_id = ?", obj["id"]
        )
    )


@content_type.field("ribbon")
def resolve_content_ribbon(obj, _info):
    return ribbon_dict(obj["_store"], obj["_row"]["ribbon_slug"])


@content_type.field("authorsAndInstructors")
def resolve_authors_and_instructors(obj, _info):
    names = list(obj["authors"] or [])
    for row in obj["_store"].query(
        "SELECT instructors FROM meetings WHERE content_id = ? ORDER BY position", obj["id"]
    ):
        names += loads(row["instructors"], [])
    return list(dict.fromkeys(n for n in names if n))


def ribbon_dict(store: Store, slug: str | None) -> dict | None:
    row = store.one("SELECT * FROM ribbons WHERE slug = ?", slug) if slug else None
    if row is None:
        return None
    return {
        "slug": row["slug"],
        "label": row["label"],
        "color": row["color"],
        "contrastColor": row["contrast_color"],
        "darkerColor": row["darker_color"],
    }


def prices(row: sqlite3.Row) -> list[dict]:
    """A priced item's price list (TI's ItemPrice): one currency, no variations."""
    if not row["price_in_cents"]:
        return []
    return [
        {
            "id": f"{row['id']}-usd",
            "currencyCode": "USD",
            "priceInCents": row["price_in_cents"],
            "suggestedRetailPriceInCents": row["suggested_retail_price_in_cents"],
            "annualPriceInCents": None,
            "instructorAccessPriceInCents": None,
            "variations": [],
        }
    ]


def _catalog_fields(row: sqlite3.Row) -> dict:
    """What Course and LearningPath share with the item's catalog card."""
    return {
        "sku": row["sku"],
        "metaTitle": row["meta_title"],
        "metaDescription": row["meta_description"],
        "suggestedRetailPriceInCents": row["suggested_retail_price_in_cents"],
        "customFields": loads(row["custom_fields"], {}),
        "prices": prices(row),
        "hasMultipleCurrencies": False,
        "bulkPurchasingEnabled": False,
        "taxable": bool(row["price_in_cents"]),
    }


def resource_dict(row: sqlite3.Row | None) -> dict | None:
    """A content row as the Course | LearningPath union member; per-learner fields resolve later."""
    if row is None:
        return None
    if row["kind"] == "learningPath":
        return {
            "__typename": "LearningPath",
            "id": row["id"],
            "name": row["title"],
            "slug": row["slug"],
            "status": row["status"],
            "asset": row["asset"],
            "priceInCents": row["price_in_cents"],
            "shortDescription": row["short_description"],
            "longDescription": row["description"],
            "authors": loads(row["authors"], []),
            "kind": "learningPath",
            "resourceType": "learningPath",
            "language": row["language"],
            "publishDate": row["publish_date"],
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
            "contentType": "Learning Path",
            "freeWithRegistration": row["price_in_cents"] == 0 and row["visibility"] != 4,
            "purchasable": bool(row["price_in_cents"]) or row["visibility"] == 4,
            "seatsLimit": row["seats_limit"],
            "enrollmentStartDate": row["enrollment_start_date"],
            "enrollmentEndDate": row["enrollment_end_date"],
            **_catalog_fields(row),
            "_row": row,
        }
    return course_dict(row)


def course_dict(row: sqlite3.Row) -> dict:
    """A content row as a Course (bookmarks name any item as their course)."""
    kind = row["kind"]
    return {
        "__typename": "Course",
        "id": row["id"],
        "title": row["title"],
        "slug": row["slug"],
        "status": row["status"],
        "isActive": bool(row["is_active"]),
        "priceInCents": row["price_in_cents"],
        "courseStartDate": row["course_start_date"],
        "courseEndDate": row["course_end_date"],
        "enrollmentStartDate": row["enrollment_start_date"],
        "enrollmentEndDate": row["enrollment_end_date"],
        "courseGroupTitle": row["group_name"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "publishDate": row["publish_date"],
        "seatsLimit": row["seats_limit"],
        # A course is a course group in TI's model; a learning path is no course group.
        "kind": "courseGroup" if kind == "course" else (None if kind not in COURSE_KINDS else kind),
        "freeWithRegistration": row["price_in_cents"] == 0 and row["visibility"] != 4,
        "purchasable": bool(row["price_in_cents"]) or row["visibility"] == 4,
        "showProgress": True,
        "webinarTimeZone": row["time_zone"] if kind in ("webinar", "webinarCourse") else None,
        "webinarDates": (
            [{"startDate": row["course_start_date"], "endDate": row["course_end_date"]}]
            if kind in EVENT_KINDS and row["course_start_date"]
            else []
        ),
        "waitlistingEnabled": bool(row["waitlisting_enabled"]),
        "sessionIsTitled": bool(row["session_title"]),
        "displayMap": kind in ("inPersonEvent", "inPersonEventCourse"),
        "displayResults": True,
        "embeddedEnabled": False,
        "discussionsEnabled": bool(row["has_community_group"]),
        "isChild": False,
        "gracePeriodEndDate": row["course_end_date"],
        **_catalog_fields(row),
        "_row": row,
    }


def award_type_dict(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "label": row["label"],
        "pluralLabel": row["plural_label"],
        "icon": row["icon"],
        "includeOnDashboard": bool(row["include_on_dashboard"]),
        "deleted": bool(row["deleted"]),
    }


def user_dict(store: Store, row: sqlite3.Row) -> dict:
    """The scalar fields of User; the costly ones resolve on demand (resolvers in users.py)."""
    first, last = row["first_name"] or "", row["last_name"] or ""
    refs = loads(row["refs"], {})
    data = {
        "id": row["id"],
        "email": row["email"],
        "firstName": row["first_name"],
        "lastName": row["last_name"],
        "name": f"{first} {last}".strip() or row["email"],
        "abbreviatedName": (f"{first} {last[:1]}." if last else first) or None,
        "asset": row["asset"],
        "bio": row["bio"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "lastActiveAt": row["last_active_at"],
        "disabled": bool(row["disabled"]),
        "mustVerifyEmail": bool(row["must_verify_email"]),
        "roleKey": row["role_key"],
        "lang": row["lang"],
        "preferredCurrency": row["preferred_currency"],
        "balance": row["balance"],
        "clientId": row["client_id"],
        "customFields": loads(row["custom_fields"], {}),
        "shouldHighlight": False,
        "address1": row["address1"],
        "address2": row["address2"],
        "city": row["city"],
        "state": row["state"],
        "zipCode": row["zip_code"],
        "country": row["country"],
        "telephone": row["telephone"],
        "externalCustomerId": row["external_customer_id"],
        "lastInitial": last[:1] or None,
        "twoFactorEnabled": False,
        "_row": row,
        "_store": store,
    }
    for i in range(1, 11):
        data[f"ref{i}"] = refs.get(f"ref{i}")
    return data


def content_by_id(store: Store, content_id: str) -> sqlite3.Row:
    row = store.one("SELECT * FROM content WHERE id = ?", str(content_id))
    if row is None:
        raise NotFound("No content with this id.")
    return row
