"""Bookmark actions against the API, and the context the bookmarks fragment renders."""

from __future__ import annotations

from flask_babel import gettext

from portal import api, bookmark_folders
from portal.api.errors import ApiError, BadInput, TokenExpired
from portal.widgets import attempt, survives


def folders_context(page: int = 1, **extra) -> dict:
    """The folders with the bookmarks of `page` (two upstream requests), or the widget's
    error."""
    found, error = attempt(bookmark_folders.load_page, page)
    folders, numbers = found or (None, {"page": 1, "pages": 1, "total": 0})
    return {
        "folders": folders,
        "bookmarks_error": error.message if error else None,
        **bookmark_folders.pager_context(numbers),
        **extra,
    }


def _run(operation: str, **variables) -> str | None:
    """Run a mutation: None when it worked, else what to tell the learner."""
    try:
        api.run(operation, **variables)
    except TokenExpired:
        raise
    except BadInput as error:
        return error.message
    except ApiError as error:
        if not survives(error):
            raise
        return gettext("It could not be done just now: %(reason)s", reason=error.message)
    return None


def add(content_id: str) -> str | None:
    """Bookmark an item in the default folder (nothing to do when it is already bookmarked)."""
    if not bookmark_folders.is_known() or not bookmark_folders.default_folder():
        bookmark_folders.load()
    if bookmark_folders.bookmark_of(content_id):
        return None
    try:
        answer = api.run(
            "CreateBookmark",
            folder=bookmark_folders.default_folder(),
            topicId=content_id,
            note="",
        )
    except TokenExpired:
        raise
    except ApiError as error:
        if not (isinstance(error, BadInput) or survives(error)):
            raise
        return gettext("It could not be bookmarked: %(reason)s", reason=error.message)
    bookmark_folders.remember(content_id, (answer.get("CreateBookmark") or {}).get("id"))
    return None


def remove(bookmark_id: str, content_id: str | None) -> str | None:
    problem = _run("DestroyBookmark", id=bookmark_id)
    if problem is None and content_id:
        bookmark_folders.remember(content_id, None)
    return problem


def move(bookmark_id: str, folder_id: str) -> str | None:
    return _run("UpdateBookmark", id=bookmark_id, bookmarkFolder=folder_id)


def create_folder(name: str) -> str | None:
    return _run("CreateBookmarkFolder", name=name)


def rename_folder(folder_id: str, name: str) -> str | None:
    return _run("UpdateBookmarkFolder", id=folder_id, name=name)


def toggled(title, bookmarked: bool) -> str:
    """What a card's Bookmark button says it did, naming the item it carried."""
    title = " ".join(str(title or "").split())[:200]
    if not title:
        return gettext("Bookmarked.") if bookmarked else gettext("The bookmark was removed.")
    if bookmarked:
        return gettext("“%(title)s” is bookmarked.", title=title)
    return gettext("“%(title)s” is no longer bookmarked.", title=title)


def folder_anchor(folders, name: str) -> str:
    """The focus after a folder was created: its heading (the newest of that name)."""
    found = [folder for folder in folders or [] if folder["name"] == name]
    return f"folder-{found[-1]['id']}" if found else ""


def delete_folder(folder_id: str) -> str | None:
    return _run("DestroyBookmarkFolder", id=folder_id)
