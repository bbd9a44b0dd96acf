"""Dashboard views: the page and its htmx partials, and the archive/reinstate/unenroll actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from portal.dashboard import forms, present, tabs
from portal.dashboard.state import parse_limit, parse_state, pushed_url
from portal.htmx import render, respond, wants_fragment

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

PAGE = "dashboard/index.html"


@bp.get("")
@login_required
def index():
    state = parse_state(request.args)
    if not wants_fragment():
        return respond(present.drawn(PAGE, state, full_page=True))
    if request.headers.get("HX-Target") == "content-groups":
        # A bookmark changed elsewhere on the page: the tab counts again, nothing else.
        return respond(present.drawn("dashboard/_groups.html", state, full_page=False))
    if request.headers.get("HX-Target") == "content-list":
        # Search, filter and sort swap only the list: one cheaper call, the form stays put.
        # The tab counts follow the search too (out of band): still one DashboardPage request.
        template = "dashboard/_list_update.html"
    else:
        template = "dashboard/_panel_update.html"
    response = respond(present.drawn(template, state, full_page=False))
    response.headers["HX-Push-Url"] = pushed_url(state, request.headers)
    return response


@bp.get("/milestones")
@login_required
def milestones():
    """The milestones of the learning paths an htmx panel listed: one batched request."""
    slugs = [s for s in request.args.getlist("slug") if s][: tabs.MAX_PATHS]
    return render(PAGE, "dashboard/_milestones.html", paths=tabs.milestones(slugs))


@bp.get("/recent")
@login_required
def recent():
    limit = parse_limit(request.args.get("limit"))
    context = present.recent_context(limit, full_page=not wants_fragment())
    return render("dashboard/recent.html", "dashboard/_recent.html", **context)


@bp.get("/courses/<course_id>")
@login_required
def course_detail(course_id: str):
    # The course's details moved to its content page; links kept from before still lead there.
    return redirect(url_for("learn.page", kind="course", key=course_id), 301)


@bp.post("/content/<content_id>/archive")
@login_required
def archive(content_id: str):
    kind = request.form.get("item_kind", "")
    action = forms.action("archive", forms.item_title(request.form))
    return _act(action, forms.archive_operation(kind), content_id, "dashboard.archive")


@bp.post("/waitlist/<content_id>/unenroll")
@login_required
def unenroll(content_id: str):
    action = forms.action("unenroll", forms.item_title(request.form))
    return _act(action, "UnenrollFromWaitlist", content_id, "dashboard.unenroll")


@bp.post("/archived/<content_id>/reinstate")
@login_required
def reinstate(content_id: str):
    kind = request.form.get("item_kind", "")
    action = forms.action("reinstate", forms.item_title(request.form))
    return _act(action, forms.reinstate_operation(kind), content_id, None)


def _act(action, operation: str, content_id: str, confirm_endpoint: str | None):
    """Confirm first (a page, or inline for htmx) when the action needs it; then do it and
    show the view the learner came from: 303 to it, or for htmx its panel with fresh counts."""
    state = parse_state(request.form)
    if request.form.get("cancel"):
        return _cancelled(state, content_id)
    if confirm_endpoint and request.form.get("confirm") != "1":
        return render(
            "dashboard/confirm.html",
            "dashboard/_confirm.html",
            action=action,
            action_url=url_for(confirm_endpoint, content_id=content_id),
            fields={
                "item_kind": request.form.get("item_kind", ""),
                "title": request.form.get("title", ""),
            },
            state=state,
        )
    problem = forms.perform(operation, content_id)
    message = f"{action.failed} {problem}" if problem else action.done
    if not wants_fragment():
        flash(message, "error" if problem else "success")
        return redirect(state.url(), 303)
    context = present.dashboard_context(state, full_page=False)
    return render(
        PAGE,
        "dashboard/_panel_update.html",
        message=message,
        message_tone="error" if problem else "success",
        **context,
    )


def _cancelled(state, content_id: str):
    """A confirmation turned down: nothing done; back to the view, and for htmx its panel with
    the focus on the button that asked (the item's Archive or Leave waitlist)."""
    if not wants_fragment():
        return redirect(state.url(), 303)
    context = present.dashboard_context(state, full_page=False)
    return render(PAGE, "dashboard/_panel_update.html", focus=content_id, **context)
