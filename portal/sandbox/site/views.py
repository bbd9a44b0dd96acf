"""Routes of the instance's pages. Pages a learner must be signed in for answer the sign-in form
itself (200) when nobody is, and come back to the page after signing in."""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, make_response, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from .. import learning
from ..resolvers.common import EVENT_KINDS, KIND_LABELS, is_expired
from ..resolvers.content import visible_content_sql
from ..resolvers.learning import location_dict
from . import bp, pdf, sessions, sso

log = logging.getLogger(__name__)
STATE_LABELS = {"not-started": "Not started", "started": "Started", "completed": "Completed"}


def _page(template: str, status: int = 200, **values):
    company = sessions.store().one("SELECT name, settings FROM company LIMIT 1")
    settings = json.loads(company["settings"]) if company else {}
    response = make_response(
        render_template(
            f"site/{template}",
            company=company["name"] if company else "Learning",
            links=[
                link
                for link in settings.get("globalNavigationLinks") or []
                if isinstance(link, dict) and link.get("href")
            ],
            learner=sessions.learner(),
            csrf=sessions.csrf_token(),
            may_reset="sandbox_accounts.forgot_password" in current_app.view_functions,
            **values,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _sign_in_page(status: int = 200, error: str | None = None, email: str = "", target=None):
    """The sign-in form; with an external login URL (single sign-on), off to it instead."""
    target = sessions.safe_next(target or request.full_path.rstrip("?"))
    external = sso.external_login(target) if error is None else None
    if external:
        return redirect(external, 303)
    return _page("sign_in.html", status, error=error, email=email, next=target)


def _not_found():
    return _page("not_found.html", 404)


@bp.errorhandler(Exception)
def failed(error):
    if isinstance(error, HTTPException):
        return error
    log.exception("Instance page failed", exc_info=error)
    return make_response(render_template("site/failed.html"), 500)


@bp.get("/")
def home():
    if sessions.learner() is not None:
        return redirect("/dashboard", 303)
    return _page("home.html")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    target = sessions.safe_next(request.values.get("next"))
    if request.method == "GET":
        if sessions.learner() is not None:
            return redirect(target, 303)
        return _sign_in_page(target=target)
    email = (request.form.get("email") or "").strip()[:254]
    try:
        token = sessions.sign_in(email, request.form.get("password") or "")
    except sessions.SignInRefused as refusal:
        return _sign_in_page(422, str(refusal), email, target)
    response = redirect(target, 303)
    sessions.set_cookie(response, token)
    return response


@bp.post("/sign-out")
def sign_out():
    target = "/sign-in"
    if sessions.csrf_ok(request.form.get("csrf")):
        sessions.sign_out()
        target = sso.after_sign_out()
    response = redirect(target, 303)
    response.delete_cookie(sessions.COOKIE)
    return response


@bp.get("/dashboard")
def dashboard():
    user = sessions.learner()
    if user is None:
        return _sign_in_page()
    rows = sessions.store().query(
        "SELECT content.*, enrollments.status AS enrollment_status, enrollments.progress, "
        "enrollments.due_date FROM enrollments JOIN content ON content.id = enrollments.content_id "
        "WHERE enrollments.user_id = ? AND enrollments.archived_at IS NULL "
        "AND content.is_active = 1 ORDER BY enrollments.last_viewed_at IS NULL, "
        "enrollments.last_viewed_at DESC, content.title",
        user["id"],
    )
    return _page("dashboard.html", items=[_item(row) for row in rows])


@bp.get("/catalog")
def catalog():
    user = sessions.learner()
    sql, params = visible_content_sql(user["client_id"] if user else None)
    rows = sessions.store().query(sql + " ORDER BY display_order, title", *params)
    return _page("catalog.html", items=[_item(row) for row in rows])


@bp.get("/terms")
def terms():
    text = sessions.store().scalar("SELECT terms FROM company LIMIT 1")
    return _page("terms.html", terms=text or "")


def _item(row: sqlite3.Row | dict) -> dict:
    keys = row.keys()
    status = row["enrollment_status"] if "enrollment_status" in keys else None
    state = learning.availability_status(row, status)
    return {
        "title": row["title"],
        "url": f"/learn/{row['slug']}",
        "kind": KIND_LABELS.get(row["kind"], row["kind"][:1].upper() + row["kind"][1:]),
        "state": state,
        "state_label": STATE_LABELS.get(state),
        "percent": (100 if status == "completed" else row["progress"])
        if "progress" in keys
        else None,
        "due": _date(row["due_date"]) if "due_date" in keys else None,
    }


def _moment(value: str | None, zone: str | None = None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    try:
        return moment.astimezone(ZoneInfo(zone)) if zone else moment
    except (ZoneInfoNotFoundError, ValueError):
        return moment


def _date(value: str | None) -> str | None:
    moment = _moment(value)
    return None if moment is None else moment.strftime("%-d %B %Y")


def _when(row: sqlite3.Row) -> dict | None:
    start = _moment(row["course_start_date"], row["time_zone"])
    if start is None:
        return None
    end = _moment(row["course_end_date"], row["time_zone"])
    text = start.strftime("%A %-d %B %Y, %H:%M")
    if end is not None:
        text += "–" + end.strftime("%H:%M" if end.date() == start.date() else "%-d %B %Y, %H:%M")
    return {
        "text": text,
        "zone": row["time_zone"] or "UTC",
        "iso": row["course_start_date"],
        "past": (end or start) < datetime.now(start.tzinfo),
    }


def _content(slug: str):
    """(content row, learner) when the learner may open it; a response otherwise."""
    user = sessions.learner()
    if user is None:
        return None, _sign_in_page()
    row = sessions.store().one("SELECT * FROM content WHERE slug = ?", slug)
    if row is None or not learning.client_may_see(sessions.store(), row, user["client_id"]):
        return None, _not_found()
    return (row, user), None


@bp.get("/learn/<slug>")
@bp.get("/courses/<slug>")
def content(slug: str):
    found, response = _content(slug)
    if response is not None:
        return response
    row, user = found
    return _content_page(row, user)


def _content_page(row, user, status: int = 200, error: str | None = None):
    store = sessions.store()
    held = learning.enrollment(store, user["id"], row["id"])
    refusal = learning.may_start(store, user, row)
    done = learning.topic_progress(store, user["id"], row["id"])
    sections: dict[str, dict] = {}
    for topic in learning.course_topics(store, row["id"]):
        section = sections.setdefault(
            topic["section_id"], {"title": topic["section_title"], "topics": []}
        )
        section["topics"].append(
            {
                "id": topic["id"],
                "title": topic["title"],
                "type": topic["type"],
                "body": topic["body"],
                "done": done.get(topic["id"], 0) == 100,
            }
        )
    certificates = store.query(
        "SELECT id, issued_at FROM certificates WHERE user_id = ? AND resource_id = ? "
        "AND deleted = 0 ORDER BY issued_at DESC",
        user["id"],
        row["id"],
    )
    milestones = []
    if row["kind"] == "learningPath":
        for milestone in learning.milestones(store, row["id"]):
            milestones.append(
                {
                    "name": milestone["name"],
                    "done": learning.milestone_completed_at(store, user["id"], milestone["id"])
                    is not None,
                    "content": [
                        _item(_with_status(store, user["id"], item))
                        for item in learning.milestone_content(store, milestone["id"])
                    ],
                }
            )
    item = _item(_with_status(store, user["id"], row))
    return _page(
        "content.html",
        status,
        row=row,
        item=item,
        held=held,
        refusal=refusal,
        error=error,
        sections=list(sections.values()),
        certificates=[
            {"url": f"/certificates/{c['id']}", "issued": _date(c["issued_at"])}
            for c in certificates
        ],
        milestones=milestones,
        event=_when(row) if row["kind"] in EVENT_KINDS else None,
        location=location_dict(store, row["location_id"])
        if row["kind"] in ("inPersonEvent", "inPersonEventCourse")
        else None,
        join_url=row["join_url"] if held is not None and not held["archived_at"] else None,
    )


def _with_status(store, user_id: str, row: sqlite3.Row) -> dict:
    """A content row with the learner's enrollment columns, as _item reads them."""
    held = learning.enrollment(store, user_id, row["id"])
    values = dict(row)
    values["enrollment_status"] = held["status"] if held else None
    values["progress"] = held["progress"] if held else 0
    values["due_date"] = held["due_date"] if held else None
    return values


@bp.post("/learn/<slug>/topics/<topic_id>")
@bp.post("/courses/<slug>/topics/<topic_id>")
def mark_done(slug: str, topic_id: str):
    found, response = _content(slug)
    if response is not None:
        return response
    row, user = found
    if not sessions.csrf_ok(request.form.get("csrf")):
        return _content_page(row, user, 400, "This form has expired. Please try again.")
    owner = sessions.store().scalar(
        "SELECT sections.content_id FROM topics JOIN lessons ON lessons.id = topics.lesson_id "
        "JOIN sections ON sections.id = lessons.section_id WHERE topics.id = ?",
        topic_id,
    )
    if owner != row["id"]:
        return _not_found()
    try:
        learning.record_topic_progress(sessions.store(), user, topic_id, 100)
    except learning.ProgressRefused as refusal:
        status = {"not_found": 404, "forbidden": 403}.get(refusal.kind, 422)
        return _content_page(row, user, status, refusal.message)
    return redirect(f"/learn/{row['slug']}#topic-{topic_id}", 303)


def _certificate(certificate_id: str):
    return sessions.store().one(
        "SELECT certificates.*, users.first_name, users.last_name, "
        "content.title AS resource_title, content.slug AS resource_slug, "
        "certificate_templates.title AS template_title "
        "FROM certificates JOIN users ON users.id = certificates.user_id "
        "LEFT JOIN content ON content.id = certificates.resource_id "
        "LEFT JOIN certificate_templates ON certificate_templates.id = certificates.template_id "
        "WHERE certificates.id = ? AND certificates.deleted = 0",
        certificate_id,
    )


def _certificate_facts(row) -> dict:
    return {
        "title": row["resource_title"] or row["external_resource_title"] or "Certificate",
        "kind": row["template_title"] or "Certificate",
        "name": f"{row['first_name'] or ''} {row['last_name'] or ''}".strip(),
        "issued": _date(row["issued_at"]),
        "expires": _date(row["expiration_date"]),
        "expired": is_expired(row["expiration_date"]),
        "identifier": row["identifier"],
        "course_url": f"/learn/{row['resource_slug']}" if row["resource_slug"] else None,
        "pdf_url": f"/certificates/{row['id']}.pdf",
        "asset": row["asset"],
    }


# Certificates are shared by their link (as on LinkedIn): their pages need no session.
@bp.get("/certificates/<certificate_id>")
def certificate(certificate_id: str):
    if certificate_id.endswith(".pdf"):
        return certificate_pdf(certificate_id[:-4])
    row = _certificate(certificate_id)
    if row is None:
        return _not_found()
    return _page("certificate.html", certificate=_certificate_facts(row))


def certificate_pdf(certificate_id: str):
    row = _certificate(certificate_id)
    if row is None:
        return _not_found()
    facts = _certificate_facts(row)
    lines = [
        facts["kind"],
        "",
        "This certifies that",
        facts["name"],
        "completed",
        facts["title"],
        "",
        f"Issued on {facts['issued']}",
    ]
    if facts["expires"]:
        lines.append(f"Valid until {facts['expires']}")
    if facts["identifier"]:
        lines.append(f"Certificate number {facts['identifier']}")
    response = make_response(pdf.document(facts["title"], lines))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{row["id"]}.pdf"'
    return response
