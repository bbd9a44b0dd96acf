"""Bookmark views: the folders page (or fragment) and every change, with htmx and without."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request
from flask_babel import gettext as _
from flask_login import login_required

from portal import bookmark_folders
from portal.bookmarks import present
from portal.bookmarks.forms import ActionForm, FolderForm
from portal.bookmarks.state import next_url, page_asked, return_path
from portal.htmx import render, see_other, wants_fragment

bp = Blueprint("bookmarks", __name__, url_prefix="/bookmarks")
PAGE, FRAGMENT = "bookmarks/index.html", "bookmarks/_bookmarks.html"


@bp.record_once
def _template_globals(state) -> None:
    # Globals, not a context processor: the card macros are imported without context.
    state.app.jinja_env.globals.update(
        bookmark_of=bookmark_folders.bookmark_of, bookmark_return_path=return_path
    )


@bp.get("")
@login_required
def index():
    # Loaded by itself (the dashboard's tab, a retry): how many bookmarks there are is said.
    form = FolderForm(formdata=None)
    context = present.folders_context(page_asked(), folder_form=form, listed=True)
    return render(PAGE, FRAGMENT, **context)


@bp.post("")
@login_required
def add():
    form = _checked(ActionForm())
    problem = present.add(form.content_id.data or "")
    return _toggled(form, problem, present.toggled(request.form.get("title"), bookmarked=True))


@bp.post("/<bookmark_id>/remove")
@login_required
def remove(bookmark_id: str):
    form = _checked(ActionForm())
    problem = present.remove(bookmark_id, form.content_id.data)
    if request.headers.get("HX-Target") == "bookmarks" or not wants_fragment():
        return _done(form, problem, _("The bookmark was removed."), focus=_then())
    return _toggled(form, problem, present.toggled(request.form.get("title"), bookmarked=False))


@bp.post("/<bookmark_id>/move")
@login_required
def move(bookmark_id: str):
    form = _checked(ActionForm())
    problem = present.move(bookmark_id, form.folder_id.data or "")
    return _done(form, problem, _("The bookmark was moved."), focus=f"bookmark-{bookmark_id}")


@bp.post("/folders")
@login_required
def create_folder():
    form = FolderForm()
    if form.validate_on_submit():
        problem = present.create_folder(form.name.data)
        if problem is None:
            message = _("The folder “%(name)s” was created.", name=form.name.data)
            return _done(form, None, message, created=form.name.data)
        form.name.errors.append(problem)
    return _invalid(form)


@bp.post("/folders/<folder_id>/rename")
@login_required
def rename_folder(folder_id: str):
    form = FolderForm()
    if form.validate_on_submit():
        problem = present.rename_folder(folder_id, form.name.data)
        if problem is None:
            message = _("The folder is now called “%(name)s”.", name=form.name.data)
            return _done(form, None, message, focus=f"folder-{folder_id}")
        form.name.errors.append(problem)
    return _invalid(FolderForm(formdata=None), renaming={folder_id: form})


@bp.post("/folders/<folder_id>/delete")
@login_required
def delete_folder(folder_id: str):
    form = _checked(ActionForm())
    if request.form.get("cancel"):
        # Not deleted: back to the folders, the focus on the Delete button that asked.
        if not wants_fragment():
            return see_other(next_url(request.form))
        context = present.folders_context(page_asked(), folder_form=FolderForm(formdata=None))
        return render(PAGE, FRAGMENT, focus=f"delete-{folder_id}", **context)
    if form.confirm.data != "1":
        context = present.folders_context(page_asked(), folder_form=FolderForm(formdata=None))
        return render(PAGE, FRAGMENT, confirm_delete=folder_id, **context)
    problem = present.delete_folder(folder_id)
    return _done(form, problem, _("The folder and its bookmarks were deleted."), focus=_then())


def _checked(form):
    if not form.validate_on_submit():
        abort(400)
    return form


def _then() -> str:
    """What the form said takes the focus once its folder or bookmark is gone."""
    return str(request.form.get("then") or "")[:120]


def _done(form, problem: str | None, message: str, focus: str = "", created: str | None = None):
    """After a change: 303 back to the page (message flashed); htmx gets the folders again,
    saying what changed, the focus on `focus` (or the folder just `created`)."""
    text = problem or message
    if not wants_fragment():
        flash(text, "error" if problem else "success")
        return see_other(next_url(request.form))
    context = present.folders_context(page_asked(), folder_form=FolderForm(formdata=None))
    if created is not None:
        focus = present.folder_anchor(context["folders"], created)
    response = render(
        PAGE,
        FRAGMENT,
        message=text,
        message_tone="error" if problem else "success",
        focus=focus,
        **context,
    )
    response.headers["HX-Trigger"] = "bookmarks-changed"
    return response


def _toggled(form, problem: str | None, message: str):
    """A card's bookmark button after a change: the button again (htmx) or back to the page."""
    if not wants_fragment():
        flash(problem or message, "error" if problem else "success")
        return see_other(next_url(request.form))
    response = render(
        PAGE,
        "bookmarks/_toggle.html",
        item={"id": form.content_id.data, "title": request.form.get("title", "")},
        problem=problem,
        message=message,
        next=next_url(request.form),
    )
    response.headers["HX-Trigger"] = "bookmarks-changed"
    return response


def _invalid(form, **extra):
    """A folder name that was refused: 422 with what was typed and the reason beside it."""
    context = present.folders_context(page_asked(), folder_form=form, **extra)
    return render(PAGE, FRAGMENT, status=422, **context)
