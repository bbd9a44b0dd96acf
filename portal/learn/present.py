"""Content page data: the page document of a course or learning path, shaped for the template."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import abort, url_for
from flask_babel import format_percent, gettext

from portal import api, cards
from portal.api.errors import ApiError, BadInput, Forbidden, NotFound, TokenExpired
from portal.formats import local_date, number, parse_date
from portal.learn.state import PageRequest
from portal.urls import instance_url, safe_url


def _load(operation: str, root: str, **variables) -> tuple[dict, str | None]:
    """The page's data, and what failed beside its main field (shown in place). Without the main
    field there is no page: an unknown or refused id or slug is a 404."""
    try:
        return api.run(operation, **variables), None
    except TokenExpired:
        raise
    except ApiError as error:
        data = error.data or {}
        if data.get(root):
            return data, error.message
        if isinstance(error, NotFound | BadInput | Forbidden):
            abort(404)
        raise


def _listed(items, key: str, value) -> dict:
    """The learner's own list entry for the content (description, image, due date, URL)."""
    return next((i for i in items or [] if isinstance(i, dict) and i.get(key) == value), {})


def _instance_path(slug) -> str | None:
    # TI's learner URL of a content item, for content the learner's lists do not hold (hidden).
    return f"/learn/{slug}" if isinstance(slug, str) and slug else None


def _certificate(certificates, content_id: str) -> dict | None:
    for cert in certificates or []:
        if isinstance(cert, dict) and (cert.get("contentItem") or {}).get("id") == content_id:
            return {
                "id": cert.get("id"),
                "url": instance_url(cert.get("url")),
                "pdf": instance_url(cert.get("pdfAsset")),
                "issued": local_date(cert.get("issuedAt")),
                "expires": local_date(cert.get("expirationDate")),
                "expired": bool(cert.get("isExpired")),
                "page_url": url_for("certificates.detail", cert_id=cert.get("id"))
                if cert.get("id")
                else None,
            }
    return None


def course_context(page: PageRequest) -> dict:
    data, error = _load("CoursePage", "CourseById", id=page.key)
    course = data["CourseById"]
    listed = {
        **_listed(data.get("QueryContents"), "id", course.get("id")),
        **_listed(data.get("UserContentItems"), "id", course.get("id")),
    }
    raw = {
        **listed,
        **{key: value for key, value in course.items() if value is not None},
        "kind": listed.get("kind") or page.kind,
        "url": listed.get("url") or _instance_path(course.get("slug")),
    }
    # A paid course the learner has no access to yet: its next step is buying it with credits.
    buys = page.kind == "course" and (course.get("priceInCents") or 0) > 0
    buys = buys and course.get("currentUserHasAccess") is False
    item = cards.card(
        raw, buy_url=url_for("catalog.redeem", content_id=course["id"]) if buys else None
    )
    join_url = webinar_join_url(course)
    if join_url and item["action"] and item["action"]["kind"] == "join":
        # Straight into the session, not to the instance's page about it.
        item["action"] = {**item["action"], "url": join_url}
    progress = data.get("UserCourseProgress") or {}
    if item["state"] == "started":
        cards.set_percent(item, progress.get("percentComplete"))
    awards = [
        {"label": a.get("label") or gettext("Award"), "count": number(a.get("count"))}
        for a in data.get("UserCourseAwardCounts") or []
        if isinstance(a, dict)
    ]
    sections = [
        {
            "title": s.get("title") or gettext("Untitled"),
            "lessons": [
                lesson.get("title") or gettext("Untitled")
                for lesson in s.get("lessons") or []
                if isinstance(lesson, dict)
            ],
        }
        for s in course.get("sections") or []
        if isinstance(s, dict)
    ]
    return {
        "item": item,
        "awards": awards,
        "collaborations": data.get("UserCourseCollaborations"),
        "certificate": _certificate(data.get("UserCertificates"), course.get("id")),
        "sections": sections,
        "enrollment_starts": local_date(course.get("enrollmentStartDate")),
        "enrollment_ends": local_date(course.get("enrollmentEndDate")),
        "error": error,
    }


def webinar_join_url(course: dict) -> str | None:
    """Where an attendee joins a webinar that has not ended: the instance gives it to the
    learners who hold the webinar; only an http(s) address becomes a link."""
    join = (course.get("webinarDetails") or {}).get("joinUrl")
    ends = parse_date(course.get("courseEndDate") or course.get("courseStartDate"))
    if ends is not None and ends < datetime.now(UTC):
        return None
    url = safe_url(join) if isinstance(join, str) else None
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def path_context(page: PageRequest) -> dict:
    data, error = _load("LearningPathPage", "LearningPathBySlug", slug=page.key)
    path = data["LearningPathBySlug"]
    listed = _listed(data.get("UserContentItems"), "slug", path.get("slug"))
    raw = {
        "id": path.get("id"),
        "title": path.get("name"),
        "slug": path.get("slug"),
        "kind": "learningPath",
        "availabilityStatus": path.get("availabilityStatus"),
        "asset": path.get("asset"),
        "description": path.get("longDescription") or path.get("shortDescription"),
        "currentUserDueDate": path.get("currentUserDueDate"),
        "url": listed.get("url") or _instance_path(path.get("slug")),
    }
    item = cards.card(raw)
    done_ids = {
        (action.get("milestone") or {}).get("id")
        for action in data.get("CurrentUserLearningPathMilestoneCompletionsBySlug") or []
        if isinstance(action, dict)
    }
    milestones = [
        {
            "id": m.get("id"),
            "name": m.get("name") or gettext("Untitled"),
            "done": m.get("id") in done_ids,
            "contents": [cards.card(c) for c in m.get("contentItems") or [] if isinstance(c, dict)],
        }
        for m in path.get("milestones") or []
        if isinstance(m, dict)
    ]
    cards.with_progress(*(m["contents"] for m in milestones))
    done = sum(1 for m in milestones if m["done"])
    if item["state"] == "started" and milestones:
        item["percent"] = round(100 * done / len(milestones))
        item["percent_text"] = format_percent(done / len(milestones))
    totals = [
        {
            "label": (t.get("awardType") or {}).get("pluralLabel")
            or (t.get("awardType") or {}).get("label")
            or gettext("Awards"),
            "count": number(t.get("total")),
        }
        for t in data.get("LearningPathCurrentUserAwardTotals") or []
        if isinstance(t, dict)
    ]
    return {
        "item": item,
        "milestones": milestones,
        "milestones_done": done,
        "awards": totals,
        "certificate_earned": bool(path.get("currentUserEarnedCertificate")),
        "published": local_date(path.get("publishDate")),
        "error": error,
    }


def page_context(page: PageRequest) -> dict:
    return path_context(page) if page.is_path else course_context(page)


def progress_context(ids: list[str]) -> dict:
    return {"progress_cards": cards.progress_cards(ids)}
