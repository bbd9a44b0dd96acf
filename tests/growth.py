"""Learners with a long history, added to a sandbox's store: what the growth tests and
`bench_growth.py` measure the portal's pages with.

`add_learner(store, items)` gives a new learner `items` content items of their own (courses,
learning paths, events, articles, videos), and in proportion certificates (one for every five
items, some expiring soon, some expired), bookmarks (one for every ten items, ten to a folder),
archived items, waitlisted events, awards and earned badges. A learner of ten years has a
thousand items and two hundred certificates: `add_learner(store, 1000)`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.sandbox.auth import hash_password
from portal.sandbox.demo import enroll
from portal.sandbox.store import Store, dumps, iso, new_id

PASSWORD = "learn-growth-1"
# The kind of the n-th item (n % 10): a course in two of them, events in two, one path...
KINDS = (
    "learningPath",
    "webinar",
    "inPersonEvent",
    "article",
    "video",
    "course",
    "course",
    "microCourse",
    "course",
    "course",
)
EVENT_KINDS = ("webinar", "inPersonEvent")
FOLDER_SIZE = 10


def _moment(now: datetime, days: float) -> str:
    return iso(now + timedelta(days=days))


def add_learner(store: Store, items: int, prefix: str | None = None) -> tuple[str, str]:
    """A new learner with `items` content items and their history; (email, password)."""
    prefix = prefix or f"growth-{items}"
    now = datetime.now(UTC).replace(microsecond=0)
    user = new_id()
    email = f"{prefix}@example.com"
    with store.transaction() as db:
        db.execute(
            "INSERT INTO users (id, email, first_name, last_name, password_hash, lang, "
            "created_at, updated_at, last_active_at) VALUES (?, ?, ?, ?, ?, 'en', ?, ?, ?)",
            (user, email, "Robin", f"Longtime {items}", hash_password(PASSWORD),
             _moment(now, -3650), _moment(now, -3650), _moment(now, 0)),
        )  # fmt: skip
        content = [_add_content(db, now, prefix, number) for number in range(items)]
        completed = []
        for number, (content_id, kind) in enumerate(content):
            status = ("completed", "completed", "started", "notStarted", "notStarted")[number % 5]
            viewed = _moment(now, -(number % 700) - 1)
            enroll(
                db,
                user,
                content_id,
                status=status,
                progress={"completed": 100, "started": 10 + number % 80}.get(status, 0),
                enrolled_at=_moment(now, -3000 + number),
                started_at=viewed if status != "notStarted" else None,
                completed_at=viewed if status == "completed" else None,
                last_viewed_at=viewed if status != "notStarted" else None,
                due_date=_moment(now, number % 60 - 20) if number % 7 == 3 else None,
                archive_id=new_id() if number % 20 == 19 else None,
                archived_at=_moment(now, -number % 300) if number % 20 == 19 else None,
            )
            if status == "completed":
                completed.append((number, content_id))
            if kind in EVENT_KINDS and number % 50 == 11:
                db.execute(
                    "INSERT INTO waitlist (user_id, content_id, created_at) VALUES (?, ?, ?)",
                    (user, content_id, _moment(now, -number % 30)),
                )
        _add_certificates(db, now, user, completed[::2])
        _add_bookmarks(db, now, user, [content_id for content_id, _ in content[5::10]])
        _add_awards(db, now, user, completed)
    return email, PASSWORD


def _add_content(db, now: datetime, prefix: str, number: int) -> tuple[str, str]:
    kind = KINDS[number % len(KINDS)]
    content_id = new_id()
    title = f"{kind.title()} {number + 1:04d} of {prefix.replace('-', ' ')}"
    slug = f"{prefix}-{kind.lower()}-{number + 1:04d}"
    stamp = _moment(now, -3650 + number)
    start = end = None
    if kind in EVENT_KINDS:
        start = now.replace(hour=9, minute=0, second=0) + timedelta(days=number % 90 - 45)
        start, end = iso(start), iso(start + timedelta(hours=2))
    db.execute(
        "INSERT INTO content (id, slug, title, kind, short_description, description, asset, "
        "asset_alt_text, authors, display_order, group_name, language, publish_date, "
        "course_start_date, course_end_date, time_zone, rating, seats_limit, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'en', ?, ?, ?, ?, ?, "
        "?, ?, ?)",
        (content_id, slug, title, kind, f"What {title} teaches, in a sentence.",
         f"<p>{title}: what it covers, who it is for and how long it takes.</p>",
         f"https://cdn.example.com/growth/{slug}.png", f"Illustration for {title}",
         dumps(["Alex Author"]), number, "Leadership", stamp, start, end,
         "Europe/London" if start else None, 60 + number % 40, 40 if start else None,
         stamp, stamp),
    )  # fmt: skip
    if kind == "learningPath":
        milestone = new_id()
        db.execute(
            "INSERT INTO milestones (id, path_id, name, position) VALUES (?, ?, ?, 0)",
            (milestone, content_id, f"First steps of {title}"),
        )
        db.execute(
            "INSERT INTO milestone_content (milestone_id, content_id) VALUES (?, ?)",
            (milestone, content_id),
        )
    return content_id, kind


def _add_certificates(db, now: datetime, user: str, completed: list[tuple[int, str]]) -> None:
    """One certificate for every other completed item: a tenth expired, a tenth expiring
    within the month, the others valid for a year or for good."""
    template = new_id()
    db.execute(
        "INSERT INTO certificate_templates (id, title, resource_type, expiration_days) "
        "VALUES (?, 'Course Completion', 'course', 365)",
        (template,),
    )
    for count, (number, content_id) in enumerate(completed):
        issued = -(number % 700) - 1
        expires = (-5, 12, 200, None, 300, 150, None, 90, 400, 30)[count % 10]
        db.execute(
            "INSERT INTO certificates (id, user_id, template_id, resource_id, resource_type, "
            "issued_at, expiration_date, identifier, source, created_at) "
            "VALUES (?, ?, ?, ?, 'course', ?, ?, ?, 'internal', ?)",
            (new_id(), user, template, content_id, _moment(now, issued),
             None if expires is None else _moment(now, expires), f"GR-{count:08d}",
             _moment(now, issued)),
        )  # fmt: skip


def _add_bookmarks(db, now: datetime, user: str, content_ids: list[str]) -> None:
    folder = None
    for number, content_id in enumerate(content_ids):
        if number % FOLDER_SIZE == 0:
            folder = new_id()
            name = "Bookmarks" if number == 0 else f"Folder {number // FOLDER_SIZE + 1}"
            db.execute(
                "INSERT INTO bookmark_folders (id, user_id, name, default_folder, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (folder, user, name, int(number == 0), _moment(now, -400 + number)),
            )
        db.execute(
            "INSERT INTO bookmarks (id, user_id, folder_id, content_id, note, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (new_id(), user, folder, content_id, f"Note {number + 1}", _moment(now, -number)),
        )


def _add_awards(db, now: datetime, user: str, completed: list[tuple[int, str]]) -> None:
    """An award of the leaderboard's type for every completed item, and the badges those
    earn (the instance's badges are a short list whatever the history)."""
    award_type = db.execute(
        "SELECT id FROM award_types WHERE is_leaderboard = 1 AND deleted = 0 LIMIT 1"
    ).fetchone()
    if award_type is None:
        return
    for number, content_id in completed:
        db.execute(
            "INSERT INTO awards (id, user_id, award_type_id, resource_id, amount, created_at) "
            "VALUES (?, ?, ?, ?, 10, ?)",
            (new_id(), user, award_type["id"], content_id, _moment(now, -(number % 700) - 1)),
        )
    total = 10 * len(completed)
    for badge in db.execute(
        "SELECT id FROM badges WHERE deleted = 0 AND award_threshold <= ?", (total,)
    ).fetchall():
        db.execute(
            "INSERT INTO earned_badges (id, user_id, badge_id, earned_at) VALUES (?, ?, ?, ?)",
            (new_id(), user, badge["id"], _moment(now, -30)),
        )
