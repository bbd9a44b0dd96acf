"""A learner's progress through content: topics done, course completion and what it earns.

The GraphQL mutation UpdateTopicAndCourseProgress and the instance's course pages both go through
`record_topic_progress`, so progress, completion, awards, badges, certificates and learning paths
follow the same way whichever side a learner uses.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .store import Store, iso, new_id, now

# enrollments.status -> Content.availabilityStatus as Helium reads it.
AVAILABILITY = {"notStarted": "not-started", "started": "started", "completed": "completed"}
FREE_VISIBILITIES = (1, 2, 3)  # Public, Hidden (by link), Private (when the client may see it)


class ProgressRefused(Exception):
    """Why a learner may not record progress; kind is 'not_found', 'forbidden' or 'bad_input'."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class ProgressResult:
    content_id: str
    percent: int
    completed_now: bool
    certificate_id: str | None = None


def availability_status(row: sqlite3.Row | dict, enrollment_status: str | None) -> str:
    if enrollment_status in AVAILABILITY:
        return AVAILABILITY[enrollment_status]
    return "available" if row["is_active"] else "unavailable"


def course_topics(store: Store, content_id: str) -> list[sqlite3.Row]:
    """A course's topics in syllabus order, with their section and lesson."""
    return store.query(
        "SELECT topics.*, lessons.title AS lesson_title, sections.id AS section_id, "
        "sections.title AS section_title FROM topics "
        "JOIN lessons ON lessons.id = topics.lesson_id "
        "JOIN sections ON sections.id = lessons.section_id "
        "WHERE sections.content_id = ? "
        "ORDER BY sections.position, lessons.position, topics.position",
        content_id,
    )


def topic_progress(store: Store, user_id: str, content_id: str) -> dict[str, int]:
    """topic id -> progress (0..100) of one learner in one course."""
    return {
        row["topic_id"]: row["progress"]
        for row in store.query(
            "SELECT topic_progress.topic_id, topic_progress.progress FROM topic_progress "
            "JOIN topics ON topics.id = topic_progress.topic_id "
            "JOIN lessons ON lessons.id = topics.lesson_id "
            "JOIN sections ON sections.id = lessons.section_id "
            "WHERE topic_progress.user_id = ? AND sections.content_id = ?",
            user_id,
            content_id,
        )
    }


def client_may_see(store: Store, row: sqlite3.Row, client_id: str | None) -> bool:
    """Active content a learner of this client may open: never another client's private one."""
    if not row["is_active"]:
        return False
    if row["visibility"] != 3:
        return True
    if not client_id:
        return False
    return bool(
        store.scalar(
            "SELECT 1 FROM client_access WHERE client_id = ? AND ("
            "(list IN ('course', 'learningPath', 'purchasableContent') AND item_id = ?) OR "
            "(list IN ('courseTag', 'purchasableTag') AND item_id IN "
            "(SELECT tag_id FROM content_tags WHERE content_id = ?)))",
            client_id,
            row["id"],
            row["id"],
        )
    )


def enrollment(store: Store, user_id: str, content_id: str) -> sqlite3.Row | None:
    return store.one(
        "SELECT * FROM enrollments WHERE user_id = ? AND content_id = ?", user_id, content_id
    )


def may_start(store: Store, user: sqlite3.Row, row: sqlite3.Row) -> str | None:
    """None when the learner may work on this content now; otherwise why not (a sentence)."""
    if not client_may_see(store, row, user["client_id"]):
        return "not_found"
    held = enrollment(store, user["id"], row["id"])
    if held is not None:
        return "archived" if held["archived_at"] else None
    if row["visibility"] == 4 or row["price_in_cents"]:
        return "paid"
    return None


def record_topic_progress(
    store: Store, user: sqlite3.Row, topic_id: str, progress: int
) -> ProgressResult:
    """Record a learner's progress in one topic and everything that follows from it.

    Progress never goes down (a topic once done stays done). A free course the learner has not
    enrolled in yet is enrolled in, as TI does when a learner opens it.
    """
    if not isinstance(progress, int) or progress < 0 or progress > 100:
        raise ProgressRefused("bad_input", "progress must be a whole number from 0 to 100.")
    topic = store.one(
        "SELECT topics.id, sections.content_id FROM topics "
        "JOIN lessons ON lessons.id = topics.lesson_id "
        "JOIN sections ON sections.id = lessons.section_id WHERE topics.id = ?",
        str(topic_id),
    )
    if topic is None:
        raise ProgressRefused("not_found", "No topic with this id.")
    course = store.one("SELECT * FROM content WHERE id = ?", topic["content_id"])
    refusal = may_start(store, user, course)
    if refusal == "not_found":
        raise ProgressRefused("not_found", "No topic with this id.")
    if refusal == "paid":
        raise ProgressRefused("forbidden", "Buy or redeem this course before you start it.")
    if refusal == "archived":
        raise ProgressRefused("forbidden", "This course is archived: reinstate it first.")
    stamp = now()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO topic_progress (user_id, topic_id, progress, views, updated_at) "
            "VALUES (?, ?, ?, 1, ?) ON CONFLICT (user_id, topic_id) DO UPDATE SET "
            "progress = MAX(progress, excluded.progress), views = views + 1, "
            "updated_at = excluded.updated_at",
            (user["id"], topic["id"], progress, stamp),
        )
        db.execute(
            "INSERT OR IGNORE INTO enrollments (user_id, content_id, source, enrolled_at) "
            "VALUES (?, ?, 'self', ?)",
            (user["id"], course["id"], stamp),
        )
        return _update_course(store, db, user, course, stamp)


def _update_course(store: Store, db, user, course, stamp: str) -> ProgressResult:
    topics = [t["id"] for t in course_topics(store, course["id"])]
    done = topic_progress(store, user["id"], course["id"])
    percent = sum(done.get(t, 0) for t in topics) // len(topics) if topics else 0
    held = enrollment(store, user["id"], course["id"])
    completed_now = percent == 100 and held["status"] != "completed"
    if held["status"] == "completed":
        db.execute(
            "UPDATE enrollments SET last_viewed_at = ? WHERE user_id = ? AND content_id = ?",
            (stamp, user["id"], course["id"]),
        )
        return ProgressResult(course["id"], max(percent, held["progress"]), False)
    db.execute(
        "UPDATE enrollments SET status = ?, progress = ?, started_at = COALESCE(started_at, ?), "
        "completed_at = ?, last_viewed_at = ? WHERE user_id = ? AND content_id = ?",
        (
            "completed" if completed_now else "started",
            percent,
            stamp,
            stamp if completed_now else None,
            stamp,
            user["id"],
            course["id"],
        ),
    )
    certificate_id = None
    if completed_now:
        certificate_id = _complete(store, db, user, course, stamp)
    _update_paths(store, db, user, course["id"], stamp)
    return ProgressResult(course["id"], percent, completed_now, certificate_id)


def _complete(store: Store, db, user, content, stamp: str) -> str | None:
    """Awards, badges and the certificate a completion earns; the certificate's id if any."""
    for award in db.execute(
        "SELECT award_type_id, amount FROM content_awards WHERE content_id = ?", (content["id"],)
    ).fetchall():
        db.execute(
            "INSERT INTO awards (id, user_id, award_type_id, resource_id, amount, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (new_id(), user["id"], award["award_type_id"], content["id"], award["amount"], stamp),
        )
    _earn_badges(db, user["id"], stamp)
    template_id = content["certificate_template_id"]
    if not template_id:
        return None
    template = db.execute(
        "SELECT * FROM certificate_templates WHERE id = ?", (template_id,)
    ).fetchone()
    if template is None:
        return None
    expires = None
    if template["expiration_days"]:
        expires = iso(datetime.now(UTC) + timedelta(days=template["expiration_days"]))
    recertify = None
    if template["expiration_days"] and template["expiration_days"] > 30:
        recertify = iso(datetime.now(UTC) + timedelta(days=template["expiration_days"] - 30))
    certificate_id = new_id()
    db.execute(
        "INSERT INTO certificates (id, user_id, template_id, resource_id, resource_type, "
        "issued_at, expiration_date, recertification_date, identifier, source, asset, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'internal', ?, ?)",
        (
            certificate_id,
            user["id"],
            template_id,
            content["id"],
            "learningPath" if content["kind"] == "learningPath" else "course",
            stamp,
            expires,
            recertify,
            f"NWA-{secrets.token_hex(4).upper()}",
            template["asset"],
            stamp,
        ),
    )
    return certificate_id


def _earn_badges(db, user_id: str, stamp: str) -> None:
    db.execute(
        "INSERT OR IGNORE INTO earned_badges (id, user_id, badge_id, earned_at) "
        "SELECT lower(hex(randomblob(16))), ?, badges.id, ? FROM badges "
        "WHERE badges.deleted = 0 AND badges.award_threshold <= "
        "(SELECT COALESCE(SUM(amount), 0) FROM awards "
        " WHERE awards.user_id = ? AND awards.award_type_id = badges.award_type_id)",
        (user_id, stamp, user_id),
    )


def _update_paths(store: Store, db, user, content_id: str, stamp: str) -> None:
    """The learner's learning paths holding this item: their percent, and completion."""
    for path in db.execute(
        "SELECT content.*, enrollments.status AS enrollment_status FROM learning_path_items "
        "JOIN content ON content.id = learning_path_items.path_id "
        "JOIN enrollments ON enrollments.content_id = content.id AND enrollments.user_id = ? "
        "WHERE learning_path_items.content_id = ? AND enrollments.archived_at IS NULL",
        (user["id"], content_id),
    ).fetchall():
        if path["enrollment_status"] == "completed":
            continue
        percent = path_percent(db, user["id"], path["id"])
        finished = percent == 100
        db.execute(
            "UPDATE enrollments SET status = ?, progress = ?, "
            "started_at = COALESCE(started_at, ?), completed_at = ?, last_viewed_at = ? "
            "WHERE user_id = ? AND content_id = ?",
            (
                "completed" if finished else "started",
                percent,
                stamp,
                stamp if finished else None,
                stamp,
                user["id"],
                path["id"],
            ),
        )
        if finished:
            _complete(store, db, user, path, stamp)


def path_percent(db, user_id: str, path_id: str) -> int:
    """A learning path's percent: the mean of its items' (a completed item counts 100)."""
    rows = db.execute(
        "SELECT enrollments.status, enrollments.progress FROM learning_path_items "
        "LEFT JOIN enrollments ON enrollments.content_id = learning_path_items.content_id "
        "AND enrollments.user_id = ? WHERE learning_path_items.path_id = ?",
        (user_id, path_id),
    ).fetchall()
    if not rows:
        return 0
    values = [100 if r["status"] == "completed" else (r["progress"] or 0) for r in rows]
    return sum(values) // len(values)


def percent_complete(store: Store, user_id: str, content_id: str) -> int:
    held = enrollment(store, user_id, content_id)
    if held is None:
        return 0
    return 100 if held["status"] == "completed" else held["progress"]


def milestones(store: Store, path_id: str) -> list[sqlite3.Row]:
    return store.query(
        "SELECT * FROM milestones WHERE path_id = ? ORDER BY position, name", path_id
    )


def milestone_content(store: Store, milestone_id: str) -> list[sqlite3.Row]:
    return store.query(
        "SELECT content.* FROM milestone_content "
        "JOIN content ON content.id = milestone_content.content_id "
        "WHERE milestone_content.milestone_id = ? ORDER BY milestone_content.position",
        milestone_id,
    )


def milestone_completed_at(store: Store, user_id: str, milestone_id: str) -> str | None:
    """When the learner completed every item of the milestone (the last one's date), or None."""
    rows = store.query(
        "SELECT enrollments.status, enrollments.completed_at FROM milestone_content "
        "LEFT JOIN enrollments ON enrollments.content_id = milestone_content.content_id "
        "AND enrollments.user_id = ? WHERE milestone_content.milestone_id = ?",
        user_id,
        milestone_id,
    )
    if not rows or any(r["status"] != "completed" for r in rows):
        return None
    return max(r["completed_at"] or "" for r in rows) or None
