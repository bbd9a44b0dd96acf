"""Course groups (an item of the catalog as TI's content pages read it), their sessions'
meetings and seats, and the pages (topics) of a course as the reference types them."""

from __future__ import annotations

import sqlite3

from ariadne import ObjectType

from .. import learning
from ..store import Store, loads, now
from .common import (
    ASPECT_RATIO,
    EVENT_KINDS,
    KIND_LABELS,
    NotFound,
    course_dict,
    course_type,
    ctx,
    learning_path_type,
    query,
    ribbon_dict,
    tags_by_content,
)
from .learning import location_dict

course_group_type = ObjectType("CourseGroup")
client_type = ObjectType("Client")
RELATED_GROUPS = 3


def content_type_dict(kind: str) -> dict:
    """The content type of a kind (TI's ContentType): its label and card image shape."""
    label = KIND_LABELS.get(kind, kind[:1].upper() + kind[1:])
    return {
        "kind": kind,
        "label": label,
        "assetAspectRatio": ASPECT_RATIO,
        "templateName": "event" if kind in EVENT_KINDS else "course",
        "description": None,
        "usageCount": None,
    }


def course_group_dict(store: Store, row: sqlite3.Row) -> dict:
    """A catalog item (any kind but a learning path) as TI's CourseGroup."""
    kind = row["kind"]
    return {
        "id": row["id"],
        "slug": row["slug"],
        "title": row["title"],
        "description": row["description"] or row["short_description"],
        "asset": row["asset"],
        "detailAsset": row["banner_asset"],
        "authors": loads(row["authors"], []),
        "kind": "courseGroup" if kind == "course" else kind,
        "contentType": content_type_dict(kind),
        "language": row["language"],
        "rating": row["rating"],
        "ratingsCount": row["ratings_count"],
        "ribbon": row["ribbon_slug"],
        "metaTitle": row["meta_title"],
        "metaDescription": row["meta_description"],
        "customFields": loads(row["custom_fields"], {}),
        "createdAt": row["created_at"],
        "archived": not row["is_active"],
        "ownedByActiveScope": True,
        "hasParentCourseGroup": False,
        "allowRescheduling": False,
        "currentUserMayReschedule": False,
        "source": None,
        "_row": row,
        "_store": store,
    }


def _group_row(store: Store, user, slug: str) -> sqlite3.Row:
    row = store.one(
        "SELECT * FROM content WHERE slug = ? AND kind != 'learningPath'", str(slug)
    )
    if row is None or not learning.client_may_see(
        store, row, user["client_id"] if user else None
    ):
        raise NotFound("No course with this slug.")
    return row


@query.field("CourseGroupBySlug")
def resolve_course_group_by_slug(_obj, info, slug):
    context = ctx(info)
    return course_group_dict(context.store, _group_row(context.store, context.user(), slug))


@course_group_type.field("courses")
def resolve_group_courses(obj, _info):
    return [course_dict(obj["_row"])]  # one session per item in the demo: the item itself


@course_group_type.field("displayCourse")
def resolve_group_display_course(obj, _info):
    return course_dict(obj["_row"])


@course_group_type.field("tags")
def resolve_group_tags(obj, _info):
    return tags_by_content(obj["_store"], [obj["id"]])[obj["id"]]


@course_group_type.field("availabilityStatus")
def resolve_group_availability(obj, info):
    status = ctx(info).enrollment_statuses().get(obj["id"])
    return learning.availability_status(obj["_row"], status)


@course_group_type.field("relatedCourseGroups")
def resolve_related_groups(obj, info):
    context = ctx(info)
    user = context.user()
    rows = context.store.query(
        "SELECT * FROM content WHERE group_name = ? AND id != ? AND kind != 'learningPath' "
        "AND is_active = 1 ORDER BY display_order",
        obj["_row"]["group_name"],
        obj["id"],
    )
    client = user["client_id"] if user else None
    seen = [r for r in rows if learning.client_may_see(context.store, r, client)]
    return [course_group_dict(context.store, r) for r in seen[:RELATED_GROUPS]]


@course_type.field("courseGroup")
def resolve_course_group(obj, info):
    return course_group_dict(ctx(info).store, obj["_row"])


@course_type.field("meetings")
def resolve_meetings(obj, info):
    store = ctx(info).store
    rows = store.query(
        "SELECT * FROM meetings WHERE content_id = ? ORDER BY position, start_date", obj["id"]
    )
    return [meeting_dict(store, row, obj) for row in rows]


def meeting_dict(store: Store, row: sqlite3.Row, course: dict) -> dict:
    return {
        "id": row["id"],
        "courseId": row["content_id"],
        "course": course,
        "title": row["title"],
        "startDate": row["start_date"],
        "endDate": row["end_date"],
        "timeZone": row["time_zone"],
        "locationId": row["location_id"],
        "location": location_dict(store, row["location_id"]),
        "instructors": loads(row["instructors"], []),
        "attendeeInfo": row["attendee_info"],
        "attendees": None,  # the roster is for instructors, not learners
    }


def _seats_taken(info, obj) -> int:
    return ctx(info).store.scalar(
        "SELECT COUNT(*) FROM enrollments WHERE content_id = ? AND archived_at IS NULL",
        obj["id"],
    )


@course_type.field("seatsUsedCount")
@course_type.field("seatsAllocatedCount")
def resolve_seats_used(obj, info):
    return _seats_taken(info, obj)


@course_type.field("seatsLimitMet")
def resolve_seats_limit_met(obj, info):
    limit = obj["_row"]["seats_limit"]
    return limit is not None and _seats_taken(info, obj) >= limit


@course_type.field("enrollmentActive")
def resolve_enrollment_active(obj, _info):
    row = obj["_row"]
    moment = now()
    opened = not row["enrollment_start_date"] or row["enrollment_start_date"] <= moment
    closed = bool(row["enrollment_end_date"]) and row["enrollment_end_date"] < moment
    return bool(row["is_active"]) and opened and not closed


@learning_path_type.field("ribbon")
def resolve_path_ribbon(obj, info):
    return ribbon_dict(ctx(info).store, obj["_row"]["ribbon_slug"])


@learning_path_type.field("currentUserPendingCertificate")
def resolve_path_pending_certificate(_obj, _info):
    return False  # the sandbox issues certificates the moment a path is completed


@client_type.field("clientAdminAllocatableLearningPaths")
def resolve_allocatable_paths(obj, _info):
    return list(obj.get("learningPathIds") or [])


@client_type.field("panorama")
def resolve_panorama(_obj, _info):
    return False
