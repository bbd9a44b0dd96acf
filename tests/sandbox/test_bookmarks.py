"""Bookmark folders and bookmarks: each learner sees and changes only their own."""

from __future__ import annotations

FOLDERS = "query { UserBookmarks { id name defaultFolder deleted bookmarkCount user { email } } }"
IN_FOLDER = """query($id: ID!) {
  UserBookmarksByFolder(id: $id) {
    id note topicId topic { title type } createdAt deleted
    course { id title slug } bookmarkFolder { id name } user { email }
  }
}"""
CREATE = """mutation($folder: UUID!, $topic: UUID!, $note: String!) {
  CreateBookmark(bookmark: {bookmarkFolderId: $folder, topicId: $topic, note: $note}) {
    id note topicId course { id } bookmarkFolder { id bookmarkCount }
  }
}"""
MOVE = """mutation($id: ID!, $folder: ID!, $note: String) {
  UpdateBookmark(id: $id, bookmarkFolder: $folder, note: $note) { id note bookmarkFolder { id } }
}"""
DESTROY = "mutation($id: ID!) { DestroyBookmark(id: $id) }"
NEW_FOLDER = """mutation($name: String!, $default: Boolean) {
  CreateBookmarkFolder(name: $name, defaultFolder: $default) { id name defaultFolder }
}"""
RENAME = """mutation($id: ID!, $name: String!) {
  UpdateBookmarkFolder(id: $id, name: $name) { id name }
}"""
DROP_FOLDER = "mutation($id: ID!) { DestroyBookmarkFolder(id: $id) }"
GROUPS = "query($q: String) { UserContentGroups(query: $q) { kind count } }"


def error_code(answer) -> str:
    body = answer.json()
    assert answer.status_code == 200, body
    return body["errors"][0]["extensions"]["code"]


def bookmark_count(sandbox, query=None, who="avery") -> int:
    groups = sandbox.data(GROUPS, {"q": query}, who=who)["UserContentGroups"]
    return {g["kind"]: g["count"] for g in groups}["bookmarkFolders"]


def test_folders_list_the_default_first_with_counts(gql_sandbox):
    folders = gql_sandbox.data(FOLDERS)["UserBookmarks"]
    assert [(f["name"], f["defaultFolder"], f["bookmarkCount"]) for f in folders] == [
        ("Bookmarks", True, 0),
        ("Read later", False, 1),
    ]
    assert {f["user"]["email"] for f in folders} == {"avery@example.com"}


def test_a_learner_without_folders_gets_a_default_one(gql_sandbox):
    gql_sandbox.store.execute("DELETE FROM bookmark_folders")
    folders = gql_sandbox.data(FOLDERS, who="noah")["UserBookmarks"]
    assert [(f["name"], f["defaultFolder"]) for f in folders] == [("Bookmarks", True)]
    assert gql_sandbox.data(FOLDERS, who="noah")["UserBookmarks"] == folders


def test_bookmarks_in_a_folder_name_their_item(gql_sandbox):
    i = gql_sandbox.ids
    bookmarks = gql_sandbox.data(IN_FOLDER, {"id": i["folder_avery"]})["UserBookmarksByFolder"]
    assert len(bookmarks) == 1
    mark = bookmarks[0]
    assert mark["course"] == {"id": i["analytics"], "title": "Advanced Data Analytics",
                              "slug": "advanced-data-analytics"}  # fmt: skip
    assert mark["note"] == "Charts" and mark["topic"] is None and mark["deleted"] is False
    assert mark["bookmarkFolder"]["name"] == "Read later"


def test_bookmark_an_item_and_a_topic_then_move_and_remove_it(gql_sandbox):
    i = gql_sandbox.ids
    before = bookmark_count(gql_sandbox)
    item = gql_sandbox.data(
        CREATE, {"folder": i["folder_avery_default"], "topic": i["python"], "note": ""}
    )["CreateBookmark"]
    assert item["course"]["id"] == i["python"] and item["topicId"] is None
    assert item["bookmarkFolder"]["bookmarkCount"] == 1
    topic = gql_sandbox.data(
        CREATE, {"folder": i["folder_avery_default"], "topic": i["topic_2"], "note": "watch"}
    )["CreateBookmark"]
    assert topic["course"]["id"] == i["beginner_course"] and topic["topicId"] == i["topic_2"]
    assert bookmark_count(gql_sandbox) == before + 2
    again = gql_sandbox.data(
        CREATE, {"folder": i["folder_avery"], "topic": i["python"], "note": "again"}
    )["CreateBookmark"]
    assert again["id"] == item["id"] and again["bookmarkFolder"]["id"] == i["folder_avery"]
    moved = gql_sandbox.data(MOVE, {"id": item["id"], "folder": i["folder_avery_default"]})
    assert moved["UpdateBookmark"]["bookmarkFolder"]["id"] == i["folder_avery_default"]
    assert moved["UpdateBookmark"]["note"] == "again"
    assert gql_sandbox.data(DESTROY, {"id": item["id"]})["DestroyBookmark"] == item["id"]
    assert bookmark_count(gql_sandbox) == before + 1
    assert error_code(gql_sandbox.gql(DESTROY, {"id": item["id"]}, token=gql_sandbox.login())) == (
        "NOT_FOUND"
    )


def test_bookmark_count_follows_the_search(gql_sandbox):
    assert bookmark_count(gql_sandbox, "analytics") == 1
    assert bookmark_count(gql_sandbox, "python") == 0


def test_folders_are_created_renamed_and_deleted_with_their_bookmarks(gql_sandbox):
    i = gql_sandbox.ids
    folder = gql_sandbox.data(NEW_FOLDER, {"name": "  Team   picks "})["CreateBookmarkFolder"]
    assert folder["name"] == "Team picks" and folder["defaultFolder"] is False
    gql_sandbox.data(CREATE, {"folder": folder["id"], "topic": i["python"], "note": ""})
    renamed = gql_sandbox.data(RENAME, {"id": folder["id"], "name": "Favourites"})
    assert renamed["UpdateBookmarkFolder"]["name"] == "Favourites"
    assert (
        gql_sandbox.data(DROP_FOLDER, {"id": folder["id"]})["DestroyBookmarkFolder"]
        == (folder["id"])
    )
    assert (
        gql_sandbox.store.scalar("SELECT COUNT(*) FROM bookmarks WHERE folder_id = ?", folder["id"])
        == 0
    )
    names = [f["name"] for f in gql_sandbox.data(FOLDERS)["UserBookmarks"]]
    assert names == ["Bookmarks", "Read later"]


def test_a_new_default_folder_replaces_the_old_default(gql_sandbox):
    gql_sandbox.data(NEW_FOLDER, {"name": "Main", "default": True})
    folders = gql_sandbox.data(FOLDERS)["UserBookmarks"]
    assert [f["name"] for f in folders if f["defaultFolder"]] == ["Main"]


def test_bad_folder_names_notes_and_default_deletion_are_refused(gql_sandbox):
    i, token = gql_sandbox.ids, gql_sandbox.login()
    for name in ("", "   ", "x" * 101, "read LATER"):
        answer = gql_sandbox.gql(NEW_FOLDER, {"name": name}, token=token)
        assert error_code(answer) == "BAD_USER_INPUT", name
    answer = gql_sandbox.gql(
        CREATE, {"folder": i["folder_avery"], "topic": i["python"], "note": "n" * 1001},
        token=token,
    )  # fmt: skip
    assert error_code(answer) == "BAD_USER_INPUT"
    answer = gql_sandbox.gql(DROP_FOLDER, {"id": i["folder_avery_default"]}, token=token)
    assert error_code(answer) == "BAD_USER_INPUT"
    before = gql_sandbox.count("bookmarks"), gql_sandbox.count("bookmark_folders")
    answer = gql_sandbox.gql(
        CREATE, {"folder": i["folder_avery"], "topic": "not-a-uuid", "note": ""}, token=token
    )
    assert error_code(answer) == "NOT_FOUND"
    assert (gql_sandbox.count("bookmarks"), gql_sandbox.count("bookmark_folders")) == before


def test_another_learners_folders_and_bookmarks_are_not_found(gql_sandbox):
    i, token = gql_sandbox.ids, gql_sandbox.login("avery")
    before = gql_sandbox.count("bookmarks"), gql_sandbox.count("bookmark_folders")
    attempts = (
        (IN_FOLDER, {"id": i["folder_noah"]}),
        (CREATE, {"folder": i["folder_noah"], "topic": i["python"], "note": ""}),
        (MOVE, {"id": i["bookmark_noah"], "folder": i["folder_avery"]}),
        (MOVE, {"id": i["bookmark_avery"], "folder": i["folder_noah"]}),
        (DESTROY, {"id": i["bookmark_noah"]}),
        (RENAME, {"id": i["folder_noah"], "name": "Mine now"}),
        (DROP_FOLDER, {"id": i["folder_noah"]}),
    )
    for document, variables in attempts:
        assert error_code(gql_sandbox.gql(document, variables, token=token)) == "NOT_FOUND"
    assert (gql_sandbox.count("bookmarks"), gql_sandbox.count("bookmark_folders")) == before
    noah = gql_sandbox.data(IN_FOLDER, {"id": i["folder_noah"]}, who="noah")
    assert [b["id"] for b in noah["UserBookmarksByFolder"]] == [i["bookmark_noah"]]


def test_content_another_client_keeps_private_cannot_be_bookmarked(gql_sandbox):
    i = gql_sandbox.ids
    answer = gql_sandbox.gql(
        CREATE, {"folder": i["folder_avery"], "topic": i["private_b"], "note": ""},
        token=gql_sandbox.login(),
    )  # fmt: skip
    assert error_code(answer) == "NOT_FOUND"


def test_bookmarks_need_a_learner(gql_sandbox):
    assert error_code(gql_sandbox.gql(FOLDERS)) == "UNAUTHENTICATED"
