"""Progress and structure: course progress, CourseById with its sections, learning paths and
their milestones, the learner's state on every item, and UpdateTopicAndCourseProgress."""

from __future__ import annotations

import sqlite3
import uuid

from ariadne import UnionType

from .. import learning
from ..store import Store
from .common import (
    BadInput,
    Forbidden,
    NotFound,
    content_dicts,
    content_type,
    course_type,
    ctx,
    learning_path_type,
    mutation,
    query,
    resource_dict,
    tags_by_content,
    user_dict,
)

# TopicType -> the PageResource member that shows it.
PAGE_TYPES = {
    "article": "ArticlePage",
    "assignment": "AssignmentPage",
    "audio": "AudioPage",
    "meetingInfo": "MeetingPage",
    "pdfViewer": "PDFViewerPage",
    "presentation": "PresentationPage",
    "quiz": "QuizPage",
    "survey": "SurveyPage",
    "test": "TestPage",
    "text": "TextPage",
    "video": "VideoPage",
    "workbook": "WorkbookPage",
}
# The parts a page type always has (lists and switches); the demo's pages have none of them.
PAGE_PARTS = {
    "languages": [],
    "markers": [],
    "questions": [],
    "sidebarItems": [],
    "sidebarIsHidden": False,
    "randomizeChoices": False,
}
IN_PERSON = ("inPersonEvent", "inPersonEventCourse")
WEBINARS = ("webinar", "webinarCourse")
page_resource = UnionType("PageResource")


@page_resource.type_resolver
def resolve_page_type(obj, *_):
    return PAGE_TYPES.get(obj["type"], "GeneralPage")


def _status(info, obj: dict) -> str:
    if "_enrollmentStatus" in obj:
        status = obj["_enrollmentStatus"]
    else:
        status = ctx(info).enrollment_statuses().get(obj["id"])
    return learning.availability_status(obj["_row"], status)


def visible_content(info, content_id: str, kinds=None) -> sqlite3.Row:
    """Content a learner (or an anonymous caller) may open by id; NOT_FOUND otherwise."""
    context = ctx(info)
    user = context.user()
    row = context.store.one("SELECT * FROM content WHERE id = ?", str(content_id))
    if row is None or (kinds is not None and row["kind"] not in kinds):
        raise NotFound("No content with this id.")
    if not learning.client_may_see(context.store, row, user["client_id"] if user else None):
        raise NotFound("No content with this id.")
    return row


# --- the learner's state on Content, Course and LearningPath ---------------------------------


@content_type.field("availabilityStatus")
@course_type.field("availabilityStatus")
@learning_path_type.field("availabilityStatus")
def resolve_availability_status(obj, info):
    return _status(info, obj)


def location_dict(store: Store, location_id: str | None) -> dict | None:
    row = store.one("SELECT * FROM locations WHERE id = ?", location_id) if location_id else None
    if row is None:
        return None
    return {
        "id": row["id"],
        "name": row["name"],
        "address1": row["address1"] or "",
        "address2": row["address2"],
        "city": row["city"] or "",
        "state": row["state"],
        "zipCode": row["zip_code"],
        "country": row["country"],
        "room": row["room"],
        "timeZone": row["time_zone"],
    }


@content_type.field("location")
@course_type.field("location")
def resolve_location(obj, info):
    row = obj["_row"]
    if row["kind"] not in IN_PERSON:  # other kinds keep the location of their course creation
        return None
    return location_dict(ctx(info).store, row["location_id"])


@course_type.field("webinarDetails")
def resolve_webinar_details(obj, info):
    row = obj["_row"]
    if row["kind"] not in WEBINARS:
        return None
    context = ctx(info)
    # The join link is for attendees: a learner who holds the webinar (or anyone, when free).
    user = context.user()
    enrolled = user is not None and row["id"] in context.enrollment_statuses()
    dates = []
    if row["course_start_date"]:
        dates.append(
            {
                "startTime": row["course_start_date"],
                "endTime": row["course_end_date"] or row["course_start_date"],
            }
        )
    return {
        "id": row["id"],
        "joinUrl": row["join_url"] if enrolled else None,
        "timeZone": row["time_zone"],
        "webinarDates": dates,
        "webinarProvider": row["webinar_provider"] or "zoom",
    }


@course_type.field("currentUserHasAccess")
def resolve_current_user_has_access(obj, info):
    return obj["id"] in ctx(info).enrollment_statuses()


@course_type.field("waitlistActive")
def resolve_waitlist_active(obj, info):
    context = ctx(info)
    user = context.user()
    if user is None:
        return False
    return bool(
        context.store.scalar(
            "SELECT 1 FROM waitlist WHERE user_id = ? AND content_id = ?", user["id"], obj["id"]
        )
    )


@course_type.field("waitlistCount")
def resolve_course_waitlist_count(obj, info):
    return ctx(info).store.scalar("SELECT COUNT(*) FROM waitlist WHERE content_id = ?", obj["id"])


@course_type.field("waitlistingTriggered")
def resolve_course_waitlisting_triggered(obj, info):
    row = obj["_row"]
    if not row["waitlisting_enabled"] or row["seats_limit"] is None:
        return False
    taken = ctx(info).store.scalar(
        "SELECT COUNT(*) FROM enrollments WHERE content_id = ? AND archived_at IS NULL", row["id"]
    )
    return taken >= row["seats_limit"]


@course_type.field("hasChildren")
def resolve_course_has_children(obj, info):
    return bool(
        ctx(info).store.scalar("SELECT COUNT(*) FROM sections WHERE content_id = ?", obj["id"])
    )


@course_type.field("sections")
def resolve_sections(obj, info):
    store = ctx(info).store
    topics = learning.course_topics(store, obj["id"])
    sections: dict[str, dict] = {}
    lessons: dict[str, dict] = {}
    for section in store.query(
        "SELECT * FROM sections WHERE content_id = ? ORDER BY position", obj["id"]
    ):
        sections[section["id"]] = {
            "id": section["id"],
            "slug": section["slug"],
            "title": section["title"],
            "status": "published",
            "lessons": [],
        }
    for lesson in store.query(
        "SELECT lessons.* FROM lessons JOIN sections ON sections.id = lessons.section_id "
        "WHERE sections.content_id = ? ORDER BY lessons.position",
        obj["id"],
    ):
        lessons[lesson["id"]] = {
            "id": lesson["id"],
            "slug": lesson["slug"],
            "title": lesson["title"],
            "topics": [],
        }
        sections[lesson["section_id"]]["lessons"].append(lessons[lesson["id"]])
    row = obj["_row"]
    company = store.scalar("SELECT id FROM company ORDER BY rowid LIMIT 1")
    for topic in topics:
        lessons[topic["lesson_id"]]["topics"].append(
            {
                "id": topic["id"],
                "lessonId": topic["lesson_id"],
                "title": topic["title"],
                "type": topic["type"],
                "body": topic["body"],
                "companyId": company,
                "createdAt": row["created_at"],
                "updatedAt": row["updated_at"],
                **PAGE_PARTS,
            }
        )
    return list(sections.values())


@learning_path_type.field("currentUserDueDate")
def resolve_path_due_date(obj, info):
    held = _path_enrollment(info, obj)
    return None if held is None else held["due_date"]


@learning_path_type.field("currentUserStartActionDate")
def resolve_path_started(obj, info):
    held = _path_enrollment(info, obj)
    return None if held is None else held["started_at"]


@learning_path_type.field("currentUserEarnedCertificate")
def resolve_path_certificate(obj, info):
    context = ctx(info)
    user = context.user()
    return user is not None and bool(
        context.store.scalar(
            "SELECT 1 FROM certificates WHERE user_id = ? AND resource_id = ? AND deleted = 0",
            user["id"],
            obj["id"],
        )
    )


@learning_path_type.field("tags")
def resolve_path_tags(obj, info):
    return tags_by_content(ctx(info).store, [obj["id"]])[obj["id"]]


@learning_path_type.field("milestones")
def resolve_path_milestones(obj, info):
    store = ctx(info).store
    return [milestone_dict(store, row, obj) for row in learning.milestones(store, obj["id"])]


def _path_enrollment(info, obj):
    context = ctx(info)
    user = context.user()
    if user is None:
        return None
    return learning.enrollment(context.store, user["id"], obj["id"])


def milestone_dict(store: Store, row: sqlite3.Row, path: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": "content",
        "requirement": row["requirement"],
        "learningPath": path,
        "contentItems": content_dicts(store, learning.milestone_content(store, row["id"])),
    }


# --- queries -----------------------------------------------------------------------------------


@query.field("UserCourseProgress")
def resolve_user_course_progress(_obj, info, id):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    row = visible_content(info, id)
    views = context.store.scalar(
        "SELECT COALESCE(SUM(topic_progress.views), 0) FROM topic_progress "
        "JOIN topics ON topics.id = topic_progress.topic_id "
        "JOIN lessons ON lessons.id = topics.lesson_id "
        "JOIN sections ON sections.id = lessons.section_id "
        "WHERE topic_progress.user_id = ? AND sections.content_id = ?",
        user["id"],
        row["id"],
    )
    return {
        "percentComplete": learning.percent_complete(context.store, user["id"], row["id"]),
        "totalViews": views,
        "totalTime": None,
    }


@query.field("UserCourseCompletionProgress")
def resolve_user_course_completion_progress(_obj, info, id):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    row = visible_content(info, id)
    topics = [t["id"] for t in learning.course_topics(context.store, row["id"])]
    percent = learning.percent_complete(context.store, user["id"], row["id"])
    if not topics:
        return [
            {"type": "coursePercentViewed", "percent": percent, "required": [], "completed": []}
        ]
    done = learning.topic_progress(context.store, user["id"], row["id"])
    return [
        {
            "type": "courseTopicViewed",
            "percent": percent,
            "required": topics,
            "completed": [t for t in topics if done.get(t) == 100],
        }
    ]


@query.field("CourseById")
def resolve_course_by_id(_obj, info, id):  # noqa: A002
    row = visible_content(info, id, kinds=None)
    if row["kind"] == "learningPath":
        raise NotFound("No course with this id.")
    return resource_dict(row)


def _path_by_slug(info, slug: str) -> sqlite3.Row:
    context = ctx(info)
    user = context.user()
    row = context.store.one(
        "SELECT * FROM content WHERE slug = ? AND kind = 'learningPath'", str(slug)
    )
    if row is None or not learning.client_may_see(
        context.store, row, user["client_id"] if user else None
    ):
        raise NotFound("No learning path with this slug.")
    return row


@query.field("LearningPathBySlug")
def resolve_learning_path_by_slug(_obj, info, slug):
    return resource_dict(_path_by_slug(info, slug))


@query.field("CurrentUserLearningPathMilestoneCompletionsBySlug")
def resolve_milestone_completions(_obj, info, slug):
    context = ctx(info)
    user = context.require_user()
    path = resource_dict(_path_by_slug(info, slug))
    store, owner = context.store, user_dict(context.store, user)
    actions = []
    for row in learning.milestones(store, path["id"]):
        completed_at = learning.milestone_completed_at(store, user["id"], row["id"])
        if completed_at is None:
            continue
        actions.append(
            {
                # Stable per learner and milestone: completions are derived, not stored.
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{user['id']}/{row['id']}")),
                "type": "milestoneCompleted",
                "source": "learner",
                "timestamp": completed_at,
                "milestone": milestone_dict(store, row, path),
                "learningPath": path,
                "user": owner,
            }
        )
    return actions


# --- progress ----------------------------------------------------------------------------------


@mutation.field("UpdateTopicAndCourseProgress")
def resolve_update_topic_and_course_progress(_obj, info, progress, topicId):
    context = ctx(info)
    user = context.require_user()
    try:
        learning.record_topic_progress(context.store, user, str(topicId), progress)
    except learning.ProgressRefused as refusal:
        error = {"not_found": NotFound, "forbidden": Forbidden}.get(refusal.kind, BadInput)
        raise error(refusal.message) from None
    return True
