"""Content cards: one item's state, progress and single next step, as every list and page shows it.

A card is built from a `Content` answer (dashboard lists, recent content, catalog) or from a
content page's course or learning path. Its state comes from TI's `availabilityStatus`
(`completed`, `started`, `not-started`); the percent of started courses from
`UserCourseProgress`, asked for all the visible courses at once (`with_progress`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from babel import numbers
from flask import session, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from portal import api
from portal.api.errors import ApiError, TokenExpired
from portal.formats import local_date, local_time, parse_date, stars
from portal.fragments import changes_at, kept_dict
from portal.urls import instance_link, instance_url

MAX_PROGRESS_IDS = 60  # more than any page shows; a longer list is a forged request
# The started courses of the learner's last full dashboard: the next one asks for their
# percents in the same request as the lists (one upstream request instead of two).
PROGRESS_HINT_KEY = "progress_hint"

KIND_LABELS = {
    "article": _l("Article"),
    "bundle": _l("Bundle"),
    "course": _l("Course"),
    "courseGroup": _l("Course group"),
    "discountGroup": _l("Discount group"),
    "inPersonEvent": _l("In-person event"),
    "inPersonEventCourse": _l("In-person event course"),
    "learningPath": _l("Learning path"),
    "microCourse": _l("Micro course"),
    "pickableGroup": _l("Pickable group"),
    "product": _l("Product"),
    "sellable": _l("Sellable"),
    "shareableContentObject": _l("SCORM package"),
    "video": _l("Video"),
    "webinar": _l("Webinar"),
    "webinarCourse": _l("Webinar course"),
    "xApiObject": _l("xAPI object"),
}
EVENT_KINDS = ("webinar", "webinarCourse", "inPersonEvent", "inPersonEventCourse")
# Kinds that have a portal content page, and the path segment that names each kind there.
# Learning paths are found by slug (LearningPathBySlug), everything else by id (CourseById).
PAGE_KINDS = {
    "course": "course",
    "microCourse": "micro-course",
    "article": "article",
    "video": "video",
    "webinar": "webinar",
    "webinarCourse": "webinar-course",
    "inPersonEvent": "in-person-event",
    "inPersonEventCourse": "in-person-event-course",
    "shareableContentObject": "scorm",
    "xApiObject": "xapi",
    "learningPath": "learning-path",
}
KINDS_BY_SEGMENT = {segment: kind for kind, segment in PAGE_KINDS.items()}
STATE_LABELS = {
    "completed": _l("Completed"),
    "started": _l("In progress"),
    "not-started": _l("Not started"),
}
STATE_TONES = {"completed": "success", "started": "info", "not-started": "neutral"}


def kind_label(kind) -> str:
    return str(KIND_LABELS.get(kind, kind or gettext("Content")))


def state_of(raw: dict) -> str:
    """completed, started or not-started; anything else TI may answer reads as not started."""
    value = raw.get("availabilityStatus")
    return (_STATES.get(value) if isinstance(value, str) else None) or _state_of(value)


def _state_of(value) -> str:
    status = str(value or "").strip().lower().replace("_", "-")
    if status in ("completed", "complete"):
        return "completed"
    if status in ("started", "in-progress"):
        return "started"
    return "not-started"


# The statuses TI answers, read at once (a list of a thousand items is read for a tab).
_STATES = {value: _state_of(value) for value in ("completed", "started", "not-started")}


def page_url(kind, slug, content_id) -> str | None:
    """The portal's content page of an item, None for kinds that have none."""
    segment = PAGE_KINDS.get(kind)
    key = slug if kind == "learningPath" else content_id
    if not segment or not isinstance(key, str) or not key:
        return None
    return url_for("learn.page", kind=segment, key=key)


def card(raw: dict, *, buy_url: str | None = None) -> dict:
    """A Content answer as the card shows it; `buy_url` makes "Get with credits" its action.
    Made once for the same answer, language and time zone (`fragments.kept_dict`)."""
    overdue = is_overdue(raw)
    return kept_dict("card", (raw, buy_url, overdue), lambda: _card(raw, buy_url, overdue))


def is_overdue(raw: dict, now: datetime | None = None) -> bool:
    """Past its due date and not completed."""
    due = parse_date(raw.get("currentUserDueDate"))
    if due is None or state_of(raw) == "completed":
        return False
    if due < (now or datetime.now(UTC)):
        return True
    changes_at(due)
    return False


def _card(raw: dict, buy_url: str | None, overdue: bool) -> dict:
    kind = raw.get("kind")
    title = raw.get("title") or raw.get("name") or raw.get("slug") or gettext("Untitled")
    state = state_of(raw)
    found = {
        "id": raw.get("id"),
        "title": title,
        "slug": raw.get("slug"),
        "kind": kind,
        "kind_label": raw.get("contentTypeLabel") or kind_label(kind),
        "is_path": kind == "learningPath",
        "is_event": kind in EVENT_KINDS,
        "page_url": page_url(kind, raw.get("slug"), raw.get("id")),
        "url": instance_link(raw.get("url")),
        "image": instance_url(raw.get("asset") or raw.get("imageUrl")),
        "description": raw.get("description"),
        "due": local_date(raw.get("currentUserDueDate")),
        "overdue": overdue,
        "starts": local_date(raw.get("courseStartDate")),
        "ends": local_date(raw.get("courseEndDate")),
        "state": state,
        "state_label": str(STATE_LABELS[state]),
        "state_tone": STATE_TONES[state],
        "percent": 100 if state == "completed" else 0 if state == "not-started" else None,
        "wants_progress": state == "started" and kind != "learningPath",
        "buy_url": buy_url,
        "ribbon": (raw.get("ribbon") or {}).get("label"),
        "stars": stars(raw.get("rating")),
        # An event's session: its title and when it next meets.
        "session": raw.get("sessionTitle") if kind in EVENT_KINDS else None,
        "session_time": (
            local_time(raw.get("meetingStartDate") or raw.get("courseStartDate"))
            if kind in EVENT_KINDS and raw.get("sessionTitle")
            else None
        ),
    }
    found["action"] = primary_action(found)
    return found


def primary_action(item: dict) -> dict | None:
    """The one next step: Get with credits, Review, Join (events, with the date), Continue
    or Start. None when the instance gave no followable URL (never a dead or unsafe link)."""
    if item.get("buy_url"):
        return {"kind": "buy", "label": gettext("Get with credits"), "url": item["buy_url"]}
    url = item.get("url")
    if not url:
        return None
    if item["state"] == "completed":
        return {"kind": "review", "label": gettext("Review"), "url": url}
    if item.get("is_event"):
        when = item.get("starts")
        text = gettext("Join on %(date)s", date=when) if when else gettext("Join")
        return {"kind": "join", "label": text, "url": url}
    if item["state"] == "started":
        return {"kind": "continue", "label": gettext("Continue"), "url": url}
    return {"kind": "start", "label": gettext("Start"), "url": url}


def set_percent(item: dict, percent) -> None:
    if isinstance(percent, int | float) and not isinstance(percent, bool):
        item["percent"] = max(0, min(100, int(percent)))
        item["percent_text"] = percent_text(str(get_locale()), item["percent"])


@lru_cache(maxsize=1024)
def percent_text(locale: str, percent: int) -> str:
    """A whole percent written the locale's way ("40 %" in French): Babel's formatting took a
    tenth of a millisecond a card, the same few hundred texts every time."""
    return numbers.format_percent(percent / 100, locale=locale)


def progress_ids(*lists) -> list[str]:
    """The ids of the started courses among the cards, each once, in order."""
    seen: dict[str, None] = {}
    for items in lists:
        for item in items or ():
            if item.get("wants_progress") and isinstance(item.get("id"), str):
                seen.setdefault(item["id"])
    return list(seen)[:MAX_PROGRESS_IDS]


def fetch_progress(ids: list[str]) -> dict[str, int | None]:
    """percentComplete of each course, all in one request; {} when it could not be had (the
    cards then show Continue without a percent). An expired session still signs out."""
    if not ids:
        return {}
    try:
        answers = api.run_batch("UserCourseProgress", [{"id": ident} for ident in ids])
    except TokenExpired:
        raise
    except ApiError:
        return {}
    return percents_of(ids, answers)


def percents_of(ids: list[str], answers: list) -> dict[str, int | None]:
    """percentComplete of each course from UserCourseProgress answers in the same order (None
    where the instance gave none)."""
    return {
        ident: (answer or {}).get("percentComplete")
        for ident, answer in zip(ids, answers, strict=True)
    }


def with_progress(*lists, known: dict | None = None) -> None:
    """Fill in the percent of every started course in the lists: those `known` already (asked
    for along with the lists), the others in one upstream request."""
    ids = progress_ids(*lists)
    percents = {ident: known[ident] for ident in ids if known and ident in known}
    percents.update(fetch_progress([ident for ident in ids if ident not in percents]))
    for items in lists:
        for item in items or ():
            if item.get("id") in percents:
                set_percent(item, percents[item["id"]])
            item["wants_progress"] = False


def progress_for(*lists, full_page: bool, known: dict | None = None) -> list[str]:
    """A full page gets the percents of its started courses now (at most one request); an
    htmx fragment gets back the ids to ask for in one progress request of its own (the
    `progress_loader` macro), so that every htmx response costs one upstream request."""
    if full_page:
        with_progress(*lists, known=known)
        return []
    return progress_ids(*lists)


def progress_hint() -> list[str]:
    """The ids whose percents to ask for along with the next full list (see remember_hint)."""
    hint = session.get(PROGRESS_HINT_KEY)
    if not isinstance(hint, list):
        return []
    return [ident for ident in hint if isinstance(ident, str)][:MAX_PROGRESS_IDS]


def remember_hint(ids: list[str]) -> None:
    """Keep the started courses of a full list (`progress_ids`, before `with_progress`) as the
    next one's hint. A course started since costs a second request once; one finished since,
    an unused field."""
    if session.get(PROGRESS_HINT_KEY) != ids:
        session[PROGRESS_HINT_KEY] = ids


def progress_cards(ids: list[str]) -> list[dict]:
    """Progress blocks for cards rendered without it (an htmx list): one upstream request."""
    percents = fetch_progress(ids)
    found = []
    for ident in ids:
        item = {"id": ident, "state": "started", "percent": None}
        set_percent(item, percents.get(ident))
        found.append(item)
    return found
