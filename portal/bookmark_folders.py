"""The learner's bookmark folders and bookmarks, shaped as cards, for every page that shows them.

Which items are bookmarked is remembered in the learner's server-side session (content id ->
bookmark id, and the default folder), refreshed whenever the folders are loaded and after
each change, so that a card can offer "Remove bookmark" without an upstream request.
"""

from __future__ import annotations

from flask import session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal import api, cards
from portal.formats import local_date
from portal.forms import PortalForm
from portal.paging import neighbours, page_count

SESSION_KEY = "bookmarks"
# Bookmarks a page of the folders shows (the Bookmarks page, the dashboard's tab).
PAGE_SIZE = 12
MAX_FOLDER_NAME = 100
# Course.kind is a CourseGroupKind: a course is a `courseGroup` there.
COURSE_KINDS = {"courseGroup": "course"}


def _bookmark(raw: dict, folder: dict) -> dict:
    course = dict(raw.get("course") or {})
    course["kind"] = COURSE_KINDS.get(course.get("kind"), course.get("kind"))
    return {
        "id": raw.get("id"),
        "content_id": course.get("id"),
        "folder_id": folder["id"],
        "added": local_date(raw.get("createdAt")),
        "note": raw.get("note") or "",
        "card": cards.card(course),
    }


def _folder(raw: dict, bookmarks) -> dict:
    folder = {
        "id": raw.get("id"),
        "name": raw.get("name") or gettext("Bookmarks"),
        "default": bool(raw.get("defaultFolder")),
        "count": raw.get("bookmarkCount") or 0,
    }
    folder["bookmarks"] = [_bookmark(b, folder) for b in bookmarks or [] if isinstance(b, dict)]
    return folder


def folders_from(raw_folders, raw_bookmarks) -> list[dict]:
    """Folders (default first) each with its bookmarks, from BookmarkFolders and the batch."""
    found = []
    for raw, bookmarks in zip(raw_folders or [], raw_bookmarks or [], strict=False):
        if not isinstance(raw, dict):
            continue
        folder = _folder(raw, bookmarks)
        folder["count"] = len(folder["bookmarks"])
        found.append(folder)
    return found


def page_of_folders(raw_folders, page: int) -> tuple[list[dict], dict]:
    """The folders (BookmarkFolders' answer), each with those of its bookmarks that `page`
    shows, and the page's numbers. Bookmarks are paged across the folders in their order,
    PAGE_SIZE a page: only the folders the page reaches are asked for their bookmarks (one
    batch), and cards are made for the page's bookmarks alone. Each folder says the page it
    starts on (`page`) and whether this page shows it (`on_page`: its bookmarks are here, or
    it is empty and sits here), so that a page draws a dozen bookmarks and their folders
    however many folders there are. A learner's bookmarks are all remembered again when one
    page holds them all."""
    listed = [f for f in raw_folders or [] if isinstance(f, dict) and f.get("id")]
    counts = [max(0, f.get("bookmarkCount") or 0) for f in listed]
    total = sum(counts)
    pages = page_count(total, PAGE_SIZE)
    page = min(max(page, 1), pages)
    first, last = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    starts = [sum(counts[:index]) for index in range(len(listed))]
    reached = [
        index
        for index, count in enumerate(counts)
        if count and starts[index] < last and starts[index] + count > first
    ]
    answers = api.run_batch("UserBookmarksByFolder", [{"id": listed[i]["id"]} for i in reached])
    shown = dict(zip(reached, answers, strict=True))
    folders = []
    for index, raw in enumerate(listed):
        bookmarks = shown.get(index) or []
        begin = max(0, first - starts[index])
        folder = _folder(raw, bookmarks[begin : begin + last - max(first, starts[index])])
        # Where the folder starts; an empty folder sits there too, between its neighbours.
        folder["page"] = min(pages, starts[index] // PAGE_SIZE + 1)
        folder["on_page"] = index in shown or (not counts[index] and folder["page"] == page)
        folders.append(folder)
    if pages == 1:
        remember_all(folders)
    else:
        remember_some(folders)
    return folders, {"page": page, "pages": pages, "total": total}


def load() -> list[dict]:
    """The learner's folders and their bookmarks: two upstream requests (the folders, then
    every folder's bookmarks in one batch). Raises the ApiError kinds of `api.run`."""
    raw_folders = api.run("BookmarkFolders").get("UserBookmarks") or []
    ids = [{"id": f["id"]} for f in raw_folders if isinstance(f, dict) and f.get("id")]
    folders = folders_from(raw_folders, api.run_batch("UserBookmarksByFolder", ids))
    remember_all(folders)
    return folders


def load_page(page: int) -> tuple[list[dict], dict]:
    """The folders with the bookmarks of `page` (`page_of_folders`): two upstream requests
    (the folders, then the bookmarks of those the page reaches). Raises as `load`."""
    return page_of_folders(api.run("BookmarkFolders").get("UserBookmarks") or [], page)


def pager_context(numbers: dict) -> dict:
    """How many bookmarks there are, and the pager of their pages (on the Bookmarks page,
    which swaps itself in place on the dashboard's tab too)."""
    page, pages = numbers["page"], numbers["pages"]

    def url_of(number: int) -> str:
        return url_for("bookmarks.index", page=number if number > 1 else None)

    return {
        "bookmark_total": numbers["total"],
        "bookmark_pager": {"page": page, "pages": pages, **neighbours(page, pages, url_of)},
    }


def remember_all(folders: list[dict]) -> None:
    session[SESSION_KEY] = {
        "known": True,
        "default": next((f["id"] for f in folders if f["default"]), None),
        "items": {
            b["content_id"]: b["id"] for f in folders for b in f["bookmarks"] if b["content_id"]
        },
    }


def remember_some(folders: list[dict]) -> None:
    """Bookmarks of some folders seen: the others stay as the portal knew them."""
    known = _known()
    items = dict(known["items"])
    items.update(
        {b["content_id"]: b["id"] for f in folders for b in f["bookmarks"] if b["content_id"]}
    )
    default = next((f["id"] for f in folders if f["default"]), known.get("default"))
    session[SESSION_KEY] = {**known, "default": default, "items": items}


def remember_signed_in(raw_folders) -> None:
    """What signing in learned of the learner's bookmarks (`SignedIn`: the folders, each with
    its bookmarks' items). A folder that came without them leaves the bookmarks unknown, to be
    loaded when the learner first bookmarks something."""
    if not isinstance(raw_folders, list) or not all(
        isinstance(f, dict) and isinstance(f.get("bookmarks"), list) for f in raw_folders
    ):
        session.pop(SESSION_KEY, None)
        return
    items = {
        (b.get("course") or {}).get("id"): b.get("id")
        for folder in raw_folders
        for b in folder["bookmarks"]
        if isinstance(b, dict) and (b.get("course") or {}).get("id")
    }
    default = next((f.get("id") for f in raw_folders if f.get("defaultFolder")), None)
    session[SESSION_KEY] = {"known": True, "default": default, "items": items}


def _known() -> dict:
    return session.get(SESSION_KEY) or {"known": False, "default": None, "items": {}}


def remembered() -> dict:
    """All the portal knows of the learner's bookmarks (what cards show of them)."""
    return _known()


def is_known() -> bool:
    return bool(_known().get("known"))


def bookmark_of(content_id) -> str | None:
    """The learner's bookmark of an item, as far as the portal knows (no upstream request)."""
    return _known()["items"].get(content_id)


def default_folder() -> str | None:
    return _known().get("default")


def remember(content_id: str, bookmark_id: str | None) -> None:
    known = _known()
    items = dict(known["items"])
    if bookmark_id:
        items[content_id] = bookmark_id
    else:
        items.pop(content_id, None)
    session[SESSION_KEY] = {**known, "items": items}


class FolderForm(PortalForm):
    """A folder's name: what the Bookmarks page and the dashboard's tab create or rename."""

    name = StringField(
        _l("Folder name"),
        validators=[
            DataRequired(_l("Give the folder a name.")),
            Length(max=MAX_FOLDER_NAME, message=_l("At most 100 characters.")),
        ],
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
    )
