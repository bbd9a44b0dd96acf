"""Bookmarks: a learner's folders and the content (or topics) bookmarked in them.

A bookmark's topicId names a topic of a course, as on TI, or a content item itself (any kind),
so that an item without topics can be bookmarked from its card. Another learner's folders and
bookmarks do not exist for the caller: NOT_FOUND.
"""

from __future__ import annotations

import sqlite3

from ariadne import ObjectType

from .. import learning
from ..store import Store, new_id, now
from .common import BadInput, NotFound, course_dict, ctx, mutation, query, user_dict

folder_type = ObjectType("BookmarkFolder")
MAX_FOLDER_NAME = 100
MAX_NOTE = 1000
DEFAULT_FOLDER_NAME = "Bookmarks"


def default_folder(store: Store, user_id: str) -> sqlite3.Row:
    """The learner's default folder; made on first need, as every TI learner has one."""
    row = store.one(
        "SELECT * FROM bookmark_folders WHERE user_id = ? ORDER BY default_folder DESC, "
        "created_at LIMIT 1",
        user_id,
    )
    if row is not None and row["default_folder"]:
        return row
    with store.transaction() as db:
        folder_id = new_id()
        db.execute(
            "INSERT INTO bookmark_folders (id, user_id, name, default_folder, created_at) "
            "VALUES (?, ?, ?, 1, ?)",
            (folder_id, user_id, DEFAULT_FOLDER_NAME, now()),
        )
    return store.one("SELECT * FROM bookmark_folders WHERE id = ?", folder_id)


def _folder(store: Store, user_id: str, folder_id) -> sqlite3.Row:
    row = store.one(
        "SELECT * FROM bookmark_folders WHERE id = ? AND user_id = ?", str(folder_id), user_id
    )
    if row is None:
        raise NotFound("No bookmark folder with this id.")
    return row


def _bookmark(store: Store, user_id: str, bookmark_id) -> sqlite3.Row:
    row = store.one(
        "SELECT * FROM bookmarks WHERE id = ? AND user_id = ?", str(bookmark_id), user_id
    )
    if row is None:
        raise NotFound("No bookmark with this id.")
    return row


def folder_dict(store: Store, row: sqlite3.Row, owner: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "defaultFolder": bool(row["default_folder"]),
        "deleted": False,
        "externalResourceId": None,
        "bookmarkCount": store.scalar(
            "SELECT COUNT(*) FROM bookmarks JOIN content ON content.id = bookmarks.content_id "
            "WHERE folder_id = ? AND content.is_active = 1",
            row["id"],
        ),
        "user": owner,
    }


def bookmark_dict(store: Store, row: sqlite3.Row, owner: dict) -> dict:
    folder = store.one("SELECT * FROM bookmark_folders WHERE id = ?", row["folder_id"])
    content = store.one("SELECT * FROM content WHERE id = ?", row["content_id"])
    topic = None
    if row["topic_id"]:
        found = store.one("SELECT * FROM topics WHERE id = ?", row["topic_id"])
        topic = {"id": found["id"], "title": found["title"], "type": found["type"]}
    return {
        "id": row["id"],
        "note": row["note"],
        "createdAt": row["created_at"],
        "deleted": False,
        "topicId": row["topic_id"],
        "topic": topic,
        "course": course_dict(content),
        "bookmarkFolder": folder_dict(store, folder, owner),
        "user": owner,
    }


def _name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise BadInput("name is required.")
    if len(name) > MAX_FOLDER_NAME:
        raise BadInput(f"name must be at most {MAX_FOLDER_NAME} characters.")
    return name


def _note(note) -> str:
    note = str(note or "").strip()
    if len(note) > MAX_NOTE:
        raise BadInput(f"note must be at most {MAX_NOTE} characters.")
    return note


def _unique_name(store: Store, user_id: str, name: str, folder_id: str | None = None) -> None:
    taken = store.scalar(
        "SELECT 1 FROM bookmark_folders WHERE user_id = ? AND lower(name) = lower(?) "
        "AND id != COALESCE(?, '')",
        user_id,
        name,
        folder_id,
    )
    if taken:
        raise BadInput("You already have a folder with this name.")


@query.field("UserBookmarks")
def resolve_user_bookmarks(_obj, info):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    default_folder(store, user["id"])
    owner = user_dict(store, user)
    rows = store.query(
        "SELECT * FROM bookmark_folders WHERE user_id = ? "
        "ORDER BY default_folder DESC, lower(name), created_at",
        user["id"],
    )
    return [folder_dict(store, row, owner) for row in rows]


@query.field("UserBookmarksByFolder")
def resolve_user_bookmarks_by_folder(_obj, info, id):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    store = context.store
    folder = _folder(store, user["id"], id)
    return _folder_bookmarks(store, folder["id"], user_dict(store, user))


def _folder_bookmarks(store: Store, folder_id: str, owner: dict) -> list[dict]:
    rows = store.query(
        "SELECT bookmarks.* FROM bookmarks JOIN content ON content.id = bookmarks.content_id "
        "WHERE bookmarks.folder_id = ? AND content.is_active = 1 "
        "ORDER BY bookmarks.created_at DESC, bookmarks.id",
        folder_id,
    )
    return [bookmark_dict(store, row, owner) for row in rows]


@folder_type.field("bookmarks")
def resolve_folder_bookmarks(obj, info):
    """The deprecated list on the folder itself: what UserBookmarksByFolder answers for it."""
    return _folder_bookmarks(ctx(info).store, obj["id"], obj["user"])


def _target(store: Store, user: sqlite3.Row, topic_id: str) -> tuple[str, str | None]:
    """(content id, topic id or None) a bookmark's topicId names, if the learner may see it."""
    topic = store.one(
        "SELECT topics.id, sections.content_id FROM topics "
        "JOIN lessons ON lessons.id = topics.lesson_id "
        "JOIN sections ON sections.id = lessons.section_id WHERE topics.id = ?",
        topic_id,
    )
    content_id = topic["content_id"] if topic else topic_id
    row = store.one("SELECT * FROM content WHERE id = ?", content_id)
    if row is None or not learning.client_may_see(store, row, user["client_id"]):
        raise NotFound("No topic or content with this id.")
    return row["id"], (topic["id"] if topic else None)


@mutation.field("CreateBookmark")
def resolve_create_bookmark(_obj, info, bookmark):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    folder = _folder(store, user["id"], bookmark["bookmarkFolderId"])
    content_id, topic_id = _target(store, user, str(bookmark["topicId"]))
    note = _note(bookmark.get("note"))
    with store.transaction() as db:
        existing = db.execute(
            "SELECT id FROM bookmarks WHERE user_id = ? AND content_id = ? "
            "AND COALESCE(topic_id, '') = COALESCE(?, '')",
            (user["id"], content_id, topic_id),
        ).fetchone()
        if existing is not None:  # bookmarking again moves it and keeps the newest note
            bookmark_id = existing["id"]
            db.execute(
                "UPDATE bookmarks SET folder_id = ?, note = ? WHERE id = ?",
                (folder["id"], note, bookmark_id),
            )
        else:
            bookmark_id = new_id()
            db.execute(
                "INSERT INTO bookmarks (id, user_id, folder_id, content_id, topic_id, note, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (bookmark_id, user["id"], folder["id"], content_id, topic_id, note, now()),
            )
    row = _bookmark(store, user["id"], bookmark_id)
    return bookmark_dict(store, row, user_dict(store, user))


@mutation.field("UpdateBookmark")
def resolve_update_bookmark(_obj, info, bookmarkFolder, id, note=None):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    store = context.store
    row = _bookmark(store, user["id"], id)
    folder = _folder(store, user["id"], bookmarkFolder)
    store.execute(
        "UPDATE bookmarks SET folder_id = ?, note = ? WHERE id = ?",
        folder["id"],
        row["note"] if note is None else _note(note),
        row["id"],
    )
    return bookmark_dict(store, _bookmark(store, user["id"], id), user_dict(store, user))


@mutation.field("DestroyBookmark")
def resolve_destroy_bookmark(_obj, info, id):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    row = _bookmark(context.store, user["id"], id)
    context.store.execute("DELETE FROM bookmarks WHERE id = ?", row["id"])
    return row["id"]


@mutation.field("CreateBookmarkFolder")
def resolve_create_bookmark_folder(_obj, info, name, defaultFolder=None):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    name = _name(name)
    _unique_name(store, user["id"], name)
    folder_id = new_id()
    with store.transaction() as db:
        if defaultFolder:
            db.execute(
                "UPDATE bookmark_folders SET default_folder = 0 WHERE user_id = ?", (user["id"],)
            )
        db.execute(
            "INSERT INTO bookmark_folders (id, user_id, name, default_folder, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (folder_id, user["id"], name, int(bool(defaultFolder)), now()),
        )
    return folder_dict(store, _folder(store, user["id"], folder_id), user_dict(store, user))


@mutation.field("UpdateBookmarkFolder")
def resolve_update_bookmark_folder(_obj, info, id, name):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    store = context.store
    folder = _folder(store, user["id"], id)
    name = _name(name)
    _unique_name(store, user["id"], name, folder["id"])
    store.execute("UPDATE bookmark_folders SET name = ? WHERE id = ?", name, folder["id"])
    return folder_dict(store, _folder(store, user["id"], id), user_dict(store, user))


@mutation.field("DestroyBookmarkFolder")
def resolve_destroy_bookmark_folder(_obj, info, id):  # noqa: A002
    context = ctx(info)
    user = context.require_user()
    store = context.store
    folder = _folder(store, user["id"], id)
    if folder["default_folder"]:
        raise BadInput("The default folder cannot be deleted; its bookmarks can.")
    store.execute("DELETE FROM bookmark_folders WHERE id = ?", folder["id"])  # cascades
    return folder["id"]


def bookmarked_content_ids(store: Store, user_id: str) -> set[str]:
    return {
        row["content_id"]
        for row in store.query("SELECT content_id FROM bookmarks WHERE user_id = ?", user_id)
    }
