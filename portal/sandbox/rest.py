"""REST admin API v2 of the sandbox: create, read and grant access to clients (seeds 000-002)."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import uuid

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from .store import Store, dumps, loads, new_id, now

bp = Blueprint("sandbox_rest", __name__, url_prefix="/incoming/v2")

BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The enable* flags of seed 000, required or not as the seed's parameter table says.
REQUIRED_FLAGS = (
    "enableSegmentation",
    "enableEcommerce",
    "enableBranding",
    "enableOnboardingSurvey",
    "enableGlobalLinks",
    "enableNavLinks",
)
OPTIONAL_FLAGS = (
    "enableDiscussions",
    "enableCommunitiesSegmentation",
    "enableRecommendationAssessment",
    "enableContentDetailPage",
    "enableLicenseDashboards",
    "enableCreditPurchasing",
)
# updateAccess body field -> (client_access.list, replace flag) of seed 002.
ACCESS_LISTS = {
    "courseIds": ("course", "replaceCourseIds"),
    "courseTagIds": ("courseTag", "replaceCourseTagIds"),
    "learningPathIds": ("learningPath", "replaceLearningPathIds"),
    "purchasableContentIds": ("purchasableContent", "replacePurchasableContentIds"),
    "purchasableTagIds": ("purchasableTag", "replacePurchasableTagIds"),
}


class BodyError(Exception):
    """A request body that is not a JSON object: status and message for the caller's envelope."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def read_json_object() -> dict:
    """The request body as a JSON object, or BodyError (415 not JSON, 400 malformed)."""
    if not request.is_json:
        raise BodyError(415, "The request body must be JSON (Content-Type: application/json).")
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BodyError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BodyError(400, "The request body must be a JSON object.")
    return body


def error(status: int, code: str, message: str, field: str | None = None):
    item = {"message": message, "code": code}
    if field:
        item["field"] = field
    return jsonify({"errors": [item]}), status


def field_errors(problems: dict[str, str]):
    """400 naming each bad field, in the order they were found."""
    items = [
        {"field": name, "message": message, "code": "BAD_USER_INPUT"}
        for name, message in problems.items()
    ]
    return jsonify({"errors": items}), 400


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code = {413: "PAYLOAD_TOO_LARGE", 405: "METHOD_NOT_ALLOWED"}.get(exc.code, "BAD_REQUEST")
    return error(exc.code or 400, code, exc.description or exc.name)


@bp.before_request
def require_api_key():
    settings = current_app.extensions["sandbox"]
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        key.strip().encode(), settings.api_key.encode()
    ):
        response, status = error(401, "UNAUTHORIZED", "Invalid or missing API key.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="incoming"'
        return response, status
    return None


def store() -> Store:
    return current_app.extensions["sandbox"].store


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


# ---- create -------------------------------------------------------------------------------


def given(body: dict, name: str, problems: dict, *, required: bool):
    """body[name], or None when missing (noted in problems when the field is required)."""
    value = body.get(name)
    if value is None and required:
        problems[name] = f"{name} is required."
    return value


def check_string(body: dict, name: str, problems: dict, *, required: bool, max_len: int = 255):
    value = given(body, name, problems, required=required)
    if value is None:
        return None
    if not isinstance(value, str):
        problems[name] = f"{name} must be a string."
        return None
    if required and not value.strip():
        problems[name] = f"{name} must not be empty."
        return None
    if len(value) > max_len:
        problems[name] = f"{name} must be at most {max_len} characters."
        return None
    return value


def check_bool(body: dict, name: str, problems: dict, *, required: bool) -> bool | None:
    value = given(body, name, problems, required=required)
    if value is None:
        return None
    if not isinstance(value, bool):
        problems[name] = f"{name} must be a boolean (true or false)."
        return None
    return value


def check_languages(body: dict, problems: dict) -> list[str] | None:
    value = given(body, "languages", problems, required=True)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        problems["languages"] = "languages must be an array of strings."
        return None
    bad = [tag for tag in value if not BCP47.match(tag)]
    if bad:
        problems["languages"] = f"languages has invalid BCP 47 language tags: {', '.join(bad)}."
        return None
    return list(dict.fromkeys(value))


def validate_client(body: dict) -> tuple[dict, dict]:
    problems: dict[str, str] = {}
    name = check_string(body, "name", problems, required=True)
    slug = check_string(body, "slug", problems, required=True, max_len=100)
    if slug is not None and "slug" not in problems:
        if not SLUG.match(slug):
            problems["slug"] = (
                "slug must be URL-safe: lowercase letters, digits and single hyphens."
            )
        elif store().scalar("SELECT 1 FROM clients WHERE slug = ?", slug):
            problems["slug"] = f"slug '{slug}' is already taken."
    school_name = check_string(body, "schoolName", problems, required=False)
    flags = {}
    for flag in REQUIRED_FLAGS + OPTIONAL_FLAGS:
        value = check_bool(body, flag, problems, required=flag in REQUIRED_FLAGS)
        flags[flag] = bool(value)
    selector = check_bool(body, "languageSelectorEnabled", problems, required=False)
    auto_filter = check_bool(body, "autoFilterForSelectedLanguage", problems, required=False)
    default_language = check_string(body, "defaultLanguage", problems, required=False)
    if default_language is not None and not BCP47.match(default_language):
        problems["defaultLanguage"] = "defaultLanguage must be a BCP 47 language tag (e.g. en)."
    languages = check_languages(body, problems)
    if (
        default_language
        and languages
        and "defaultLanguage" not in problems
        and default_language not in languages
    ):
        problems["defaultLanguage"] = "defaultLanguage must be one of languages."
    if school_name is not None:
        flags["schoolName"] = school_name
    values = {
        "name": name,
        "slug": slug,
        "flags": flags,
        "default_language": default_language,
        "language_selector_enabled": int(bool(selector)),
        "auto_filter_for_selected_language": int(bool(auto_filter)),
        "languages": languages,
    }
    return values, problems


@bp.post("/clients")
def create_client():
    try:
        body = read_json_object()
    except BodyError as exc:
        return error(exc.status, "BAD_REQUEST", exc.message)
    values, problems = validate_client(body)
    if problems:
        return field_errors(problems)
    client_id = new_id()
    stamp = now()
    db = store()
    try:
        db.insert(
            "clients",
            id=client_id,
            name=values["name"],
            slug=values["slug"],
            flags=dumps(values["flags"]),
            default_language=values["default_language"],
            language_selector_enabled=values["language_selector_enabled"],
            auto_filter_for_selected_language=values["auto_filter_for_selected_language"],
            languages=dumps(values["languages"]),
            created_at=stamp,
            updated_at=stamp,
        )
    except sqlite3.IntegrityError:  # a concurrent request took the slug since the check
        return field_errors({"slug": f"slug '{values['slug']}' is already taken."})
    return jsonify({"data": {"CreateClient": client_json(db, client_id)}})


# ---- read ---------------------------------------------------------------------------------


def find_client(client_id: str):
    if not is_uuid(client_id):
        return None
    return store().one("SELECT * FROM clients WHERE id = ?", client_id)


@bp.get("/clients/<client_id>")
def get_client(client_id: str):
    if find_client(client_id) is None:
        return error(404, "NOT_FOUND", f"Client '{client_id}' not found.")
    return jsonify({"data": {"ClientById": client_json(store(), client_id)}})


# ---- update access ------------------------------------------------------------------------


def id_list(body: dict, name: str, problems: dict) -> list[str] | None:
    """A list of uuids; a single string counts as a one-element list (seed 002's example)."""
    value = body.get(name)
    if value is None:
        problems[name] = f"{name} is required (an array of ids, possibly empty)."
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems[name] = f"{name} must be an array of id strings."
        return None
    bad = [item for item in value if not is_uuid(item)]
    if bad:
        problems[name] = f"{name} has values that are not UUIDs: {', '.join(bad[:5])}."
        return None
    return list(dict.fromkeys(value))


def unknown_ids(db: Store, name: str, ids: list[str]) -> list[str]:
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    if name in ("courseTagIds", "purchasableTagIds"):
        sql = f"SELECT id FROM tags WHERE id IN ({marks})"
    elif name == "learningPathIds":
        sql = f"SELECT id FROM content WHERE kind = 'learningPath' AND id IN ({marks})"
    elif name == "courseIds":
        sql = f"SELECT id FROM content WHERE kind != 'learningPath' AND id IN ({marks})"
    else:
        sql = f"SELECT id FROM content WHERE id IN ({marks})"
    known = {row[0] for row in db.query(sql, *ids)}
    return [item for item in ids if item not in known]


@bp.put("/clients/<client_id>/updateAccess")
def update_access(client_id: str):
    if find_client(client_id) is None:
        return error(404, "NOT_FOUND", f"Client '{client_id}' not found.")
    try:
        body = read_json_object()
    except BodyError as exc:
        return error(exc.status, "BAD_REQUEST", exc.message)
    db = store()
    problems: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    replace: dict[str, bool] = {}
    for name, (_, flag) in ACCESS_LISTS.items():
        ids = id_list(body, name, problems)
        if ids is not None:
            missing = unknown_ids(db, name, ids)
            if missing:
                problems[name] = f"{name} has unknown ids: {', '.join(missing[:5])}."
            else:
                lists[name] = ids
        replace[name] = bool(check_bool(body, flag, problems, required=False))
    if problems:
        return field_errors(problems)
    with db.transaction() as tx:
        for name, (list_name, _) in ACCESS_LISTS.items():
            if replace[name]:
                tx.execute(
                    "DELETE FROM client_access WHERE client_id = ? AND list = ?",
                    (client_id, list_name),
                )
            tx.executemany(
                "INSERT OR IGNORE INTO client_access (client_id, list, item_id) VALUES (?, ?, ?)",
                [(client_id, list_name, item) for item in lists[name]],
            )
        tx.execute("UPDATE clients SET updated_at = ? WHERE id = ?", (now(), client_id))
    return jsonify({"data": {"UpdateClientAccess": client_json(db, client_id)}})


# ---- the client object --------------------------------------------------------------------


def tag_rows(db: Store, content_id: str) -> list[dict]:
    rows = db.query(
        "SELECT t.id, t.label FROM tags t JOIN content_tags ct ON ct.tag_id = t.id "
        "WHERE ct.content_id = ? ORDER BY t.label",
        content_id,
    )
    return [{"id": row["id"], "label": row["label"], "isFolder": False} for row in rows]


def course_json(db: Store, row) -> dict:
    """A Course as the seed shows it, with the fields the sandbox keeps."""
    tags = tag_rows(db, row["id"])
    return {
        "id": row["id"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "slug": row["slug"],
        "status": row["status"],
        "title": row["title"],
        "courseStartDate": row["course_start_date"],
        "courseEndDate": row["course_end_date"],
        "enrollmentStartDate": row["enrollment_start_date"],
        "seatsLimit": row["seats_limit"],
        "waitlistingEnabled": bool(row["waitlisting_enabled"]),
        "purchasable": row["visibility"] == 4,
        "priceInCents": row["price_in_cents"],
        "courseGroup": {
            "id": row["id"],
            "title": row["title"],
            "slug": row["slug"],
            "description": row["description"],
            "asset": row["asset"],
            "archived": not row["is_active"],
            "language": row["language"],
            "kind": row["kind"],
            "authors": loads(row["authors"], []),
            "tags": tags,
        },
    }


def learning_path_json(db: Store, row) -> dict:
    return {
        "id": row["id"],
        "name": row["title"],
        "slug": row["slug"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "asset": row["asset"],
        "shortDescription": row["short_description"],
        "longDescription": row["description"],
        "status": row["status"],
        "priceInCents": row["price_in_cents"],
        "language": row["language"],
        "kind": row["kind"],
        "tags": tag_rows(db, row["id"]),
    }


def client_json(db: Store, client_id: str) -> dict:
    """The Client object of seeds 000-002: the fields the sandbox keeps, camelCase."""
    row = db.one("SELECT * FROM clients WHERE id = ?", client_id)
    access: dict[str, list[str]] = {name: [] for name, _ in ACCESS_LISTS.values()}
    for item in db.query(
        "SELECT list, item_id FROM client_access WHERE client_id = ? ORDER BY rowid", client_id
    ):
        access[item["list"]].append(item["item_id"])

    def content(ids: list[str]) -> list:
        if not ids:
            return []
        marks = ",".join("?" for _ in ids)
        return db.query(
            f"SELECT * FROM content WHERE id IN ({marks}) ORDER BY display_order, title", *ids
        )

    def tags(ids: list[str]) -> list[dict]:
        if not ids:
            return []
        marks = ",".join("?" for _ in ids)
        rows = db.query(f"SELECT id, label FROM tags WHERE id IN ({marks}) ORDER BY label", *ids)
        return [{"id": t["id"], "label": t["label"], "isFolder": False} for t in rows]

    licenses = db.query(
        "SELECT * FROM licenses WHERE client_id = ? ORDER BY created_at, name", client_id
    )
    flags = loads(row["flags"], {})
    result = {
        "id": row["id"],
        "name": row["name"],
        "schoolName": flags.get("schoolName"),
        "slug": row["slug"],
        "courses": [course_json(db, c) for c in content(access["course"])],
        "courseIds": access["course"],
        "courseTagIds": access["courseTag"],
        "courseTags": tags(access["courseTag"]),
        "learningPaths": [learning_path_json(db, p) for p in content(access["learningPath"])],
        "learningPathIds": access["learningPath"],
        "purchasableContentIds": access["purchasableContent"],
        "purchasableTags": tags(access["purchasableTag"]),
        "licenses": [
            {
                "id": lic["id"],
                "name": lic["name"],
                "label": lic["label"],
                "expirationDate": lic["expiration_date"],
                "createdAt": lic["created_at"],
            }
            for lic in licenses
        ],
        "appearance": None,
        "sso": None,
        "catalog": None,
        "disabled": False,
    }
    for flag in REQUIRED_FLAGS + OPTIONAL_FLAGS:
        result[flag] = bool(flags.get(flag, False))
    result.update(
        {
            "defaultLanguage": row["default_language"],
            "languageSelectorEnabled": bool(row["language_selector_enabled"]),
            "autoFilterForSelectedLanguage": bool(row["auto_filter_for_selected_language"]),
            "languages": loads(row["languages"], []),
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
        }
    )
    return result
