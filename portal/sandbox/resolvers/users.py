"""CurrentUser, its costly fields, learner creation and the choice of active license."""

from __future__ import annotations

import re
import sqlite3

from .. import mail
from ..store import Store, dumps, loads, new_id, now
from .common import BadInput, NotFound, ctx, mutation, query, resource_dict, user_dict, user_type

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME = 200


@query.field("CurrentUser")
def resolve_current_user(_obj, info):
    context = ctx(info)
    user = context.user()
    return None if user is None else user_dict(context.store, user)


def _count(obj, sql: str) -> int:
    return obj["_store"].scalar(sql, obj["id"]) or 0


@user_type.field("certificatesCount")
def resolve_certificates_count(obj, _info):
    return _count(obj, "SELECT COUNT(*) FROM certificates WHERE user_id = ? AND deleted = 0")


COURSE_ENROLLMENTS = (
    "SELECT COUNT(*) FROM enrollments JOIN content ON content.id = enrollments.content_id "
    "WHERE enrollments.user_id = ? AND content.kind != 'learningPath' "
    "AND enrollments.archived_at IS NULL AND content.is_active = 1"
)


@user_type.field("completedCoursesCount")
def resolve_completed(obj, _info):
    return _count(obj, COURSE_ENROLLMENTS + " AND enrollments.status = 'completed'")


@user_type.field("startedCoursesCount")
def resolve_started(obj, _info):
    return _count(obj, COURSE_ENROLLMENTS + " AND enrollments.status = 'started'")


@user_type.field("availableCoursesCount")
def resolve_available(obj, _info):
    return _count(obj, COURSE_ENROLLMENTS)


@user_type.field("collaborationsCount")
def resolve_collaborations(obj, _info):
    return _count(obj, "SELECT COUNT(*) FROM collaborations WHERE user_id = ?")


def license_dict(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "name": row["name"],
        "label": row["label"],
        "expirationDate": row["expiration_date"],
        "createdAt": row["created_at"],
    }


@user_type.field("activeLicense")
def resolve_active_license(obj, _info):
    license_id = obj["_row"]["active_license_id"]
    if not license_id:
        return None
    return license_dict(obj["_store"].one("SELECT * FROM licenses WHERE id = ?", license_id))


@user_type.field("allocatedLicenses")
def resolve_allocated_licenses(obj, _info):
    rows = obj["_store"].query(
        "SELECT licenses.*, user_licenses.role, user_licenses.status AS allocation_status "
        "FROM user_licenses JOIN licenses ON licenses.id = user_licenses.license_id "
        "WHERE user_licenses.user_id = ? ORDER BY licenses.name",
        obj["id"],
    )
    return [
        {
            "license": license_dict(row),
            "licenseId": row["id"],
            "licenseRole": "manager" if row["role"] == "manager" else "student",
            "status": row["allocation_status"],
        }
        for row in rows
    ]


@user_type.field("purchasedCourses")
def resolve_purchased_courses(obj, _info):
    store = obj["_store"]
    rows = store.query(
        "SELECT content.*, enrollments.status AS enrollment_status, enrollments.archived_at, "
        "(SELECT id FROM certificates c WHERE c.user_id = enrollments.user_id "
        " AND c.resource_id = content.id AND c.deleted = 0 ORDER BY issued_at DESC LIMIT 1) "
        " AS certificate_id, "
        "(SELECT issued_at FROM certificates c WHERE c.user_id = enrollments.user_id "
        " AND c.resource_id = content.id AND c.deleted = 0 ORDER BY issued_at DESC LIMIT 1) "
        " AS certificate_issued_at "
        "FROM enrollments JOIN content ON content.id = enrollments.content_id "
        "WHERE enrollments.user_id = ? AND content.kind != 'learningPath' ORDER BY content.title",
        obj["id"],
    )
    return [
        {
            "courseId": row["id"],
            "status": "archived"
            if row["archived_at"]
            else ("completed" if row["enrollment_status"] == "completed" else "active"),
            "certificate": row["certificate_id"],
            "certificateIssuedAt": row["certificate_issued_at"],
            "course": resource_dict(row),
        }
        for row in rows
    ]


@user_type.field("client")
def resolve_client(obj, _info):
    client_id = obj["_row"]["client_id"]
    if not client_id:
        return None
    store = obj["_store"]
    row = store.one("SELECT * FROM clients WHERE id = ?", client_id)
    return None if row is None else client_dict(store, row)


def client_dict(store: Store, row: sqlite3.Row) -> dict:
    flags = loads(row["flags"], {})
    access: dict[str, list[str]] = {}
    for item in store.query(
        "SELECT list, item_id FROM client_access WHERE client_id = ? ORDER BY item_id", row["id"]
    ):
        access.setdefault(item["list"], []).append(item["item_id"])
    data = {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "disabled": False,
        "defaultLanguage": row["default_language"],
        "languageSelectorEnabled": bool(row["language_selector_enabled"]),
        "autoFilterForSelectedLanguage": bool(row["auto_filter_for_selected_language"]),
        "languages": loads(row["languages"], []),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "courseIds": access.get("course", []),
        "courseTagIds": access.get("courseTag", []),
        "learningPathIds": access.get("learningPath", []),
        "purchasableContentIds": access.get("purchasableContent", []),
    }
    for name in (
        "enableBranding",
        "enableEcommerce",
        "enableGlobalLinks",
        "enableNavLinks",
        "enableOnboardingSurvey",
        "enableSegmentation",
        "enableCommunitiesSegmentation",
        "enableContentDetailPage",
        "enableCreditPurchasing",
        "enableDiscussions",
        "enableLicenseDashboards",
        "enableRecommendationAssessment",
    ):
        data[name] = bool(flags.get(name, False))
    return data


def _text(value, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise BadInput(f"{name} is required.")
    if len(value) > MAX_NAME:
        raise BadInput(f"{name} must be at most {MAX_NAME} characters.")
    return value


def create_learners(store: Store, learners: list[dict]) -> list[dict]:
    """Validate every learner first, then create them all in one transaction."""
    if not learners:
        raise BadInput("learners must not be empty.")
    seen: set[str] = set()
    prepared = []
    default_client = store.get_meta("default_client_id")
    for index, learner in enumerate(learners):
        where = f"learners[{index}]." if len(learners) > 1 else ""
        email = (learner.get("email") or "").strip()
        if not EMAIL.match(email) or len(email) > 254:
            raise BadInput(f"{where}email must be a valid email address.")
        if email.lower() in seen or store.scalar("SELECT 1 FROM users WHERE email = ?", email):
            raise BadInput(f"{where}email: a user with this email already exists.")
        seen.add(email.lower())
        client_id = learner.get("clientId") or default_client
        if client_id and not store.scalar("SELECT 1 FROM clients WHERE id = ?", client_id):
            raise BadInput(f"{where}clientId: no client with this id.")
        license_ids = list(dict.fromkeys(learner.get("licenseIds") or []))
        for license_id in license_ids:
            if not store.scalar("SELECT 1 FROM licenses WHERE id = ?", license_id):
                raise BadInput(f"{where}licenseIds: no license with id {license_id}.")
        refs = {f"ref{i}": learner[f"ref{i}"] for i in range(1, 11) if learner.get(f"ref{i}")}
        prepared.append(
            (
                email,
                _text(learner.get("firstName"), f"{where}firstName"),
                _text(learner.get("lastName"), f"{where}lastName"),
                client_id,
                license_ids,
                refs,
            )
        )
    # No password until the learner follows the set-password link of their welcome mail.
    ids = []
    with store.transaction() as db:
        for email, first, last, client_id, license_ids, refs in prepared:
            user_id, stamp = new_id(), now()
            db.execute(
                "INSERT INTO users (id, email, first_name, last_name, client_id, "
                "active_license_id, refs, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    user_id,
                    email,
                    first,
                    last,
                    client_id,
                    license_ids[0] if license_ids else None,
                    dumps(refs),
                    stamp,
                    stamp,
                ),
            )
            for license_id in license_ids:
                db.execute(
                    "INSERT INTO user_licenses (user_id, license_id) VALUES (?, ?)",
                    (user_id, license_id),
                )
            ids.append(user_id)
    rows = [store.one("SELECT * FROM users WHERE id = ?", i) for i in ids]
    for row in rows:
        mail.send_welcome(store, row)
    return [user_dict(store, row) for row in rows]


@mutation.field("CreateLearner")
def resolve_create_learner(_obj, info, **learner):
    """A learner created with the API key alone registered themselves: the operation's later
    fields act for them (`Context.registered`), and an address that already has an account
    gets a mail saying so (the answer stays the refusal an administrator needs)."""
    context = ctx(info)
    acting = context.user()  # a bad token is refused even here
    store = context.store
    if acting is None:
        existing = mail.user_by_email(store, learner.get("email") or "")
        if existing is not None:
            mail.send_already_registered(store, existing)
    created = create_learners(store, [learner])[0]
    if acting is None:
        context.registered(store.one("SELECT * FROM users WHERE id = ?", created["id"]))
    return created


@mutation.field("CreateLearners")
def resolve_create_learners(_obj, info, learners):
    context = ctx(info)
    context.user()
    return create_learners(context.store, learners)


@mutation.field("SelectCurrentUserActiveLicense")
def resolve_select_license(_obj, info, licenseId: str) -> bool:
    context = ctx(info)
    user = context.require_user()
    store = context.store
    if not store.scalar(
        "SELECT 1 FROM user_licenses WHERE user_id = ? AND license_id = ?", user["id"], licenseId
    ):
        raise NotFound("No license with this id is allocated to you.")
    store.execute(
        "UPDATE users SET active_license_id = ?, updated_at = ? WHERE id = ?",
        licenseId,
        now(),
        user["id"],
    )
    return True
