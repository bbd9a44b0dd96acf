"""REST admin API v2 of the sandbox (seeds 000-002) over real HTTP."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
import requests

from portal.sandbox import create_sandbox_app, server
from portal.sandbox.store import new_id, now

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
KEY = "test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
REQUIRED_FLAGS = (
    "enableSegmentation",
    "enableEcommerce",
    "enableBranding",
    "enableOnboardingSurvey",
    "enableGlobalLinks",
    "enableNavLinks",
)


def seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text()


def curl_body(text: str) -> dict:
    """The JSON of the example's curl `-d '...'`, as the seed writes it."""
    match = re.search(r"-d '(\{.*?\})'", text, re.S)
    assert match, "the seed has an example request body"
    return json.loads(match.group(1))


def curl_path(text: str) -> str:
    match = re.search(r'curl (?:-X \w+ )?"https://[^/]+(/[^"]+)"', text)
    assert match, "the seed has an example curl URL"
    return match.group(1)


def parse_truncated_json(text: str):
    """The seeds' example responses are cut off: close them at the last complete member."""
    stack, in_string, escaped, cuts = [], False, False, []
    for position, char in enumerate(text):
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]":
            stack.pop()
            if not stack:
                return json.loads(text[: position + 1])
        elif char == ",":
            cuts.append((position, "".join(reversed(stack))))
    for position, closers in reversed(cuts):
        try:
            return json.loads(text[:position] + closers)
        except ValueError:
            continue
    raise AssertionError("no parsable prefix")


def seed_response(text: str, root: str) -> dict:
    start = text.index("Example response")
    return parse_truncated_json(text[text.index("{", start) :])["data"][root]


def json_type(value) -> str:
    return type(value).__name__


@pytest.fixture
def live(tmp_path):
    app = create_sandbox_app(tmp_path, api_key=KEY)
    running = server.start(app)
    running.store = app.extensions["sandbox"].store
    yield running
    running.stop()
    running.store.close()


def complete_client(slug: str = "acme", **extra) -> dict:
    body = {"name": "Acme", "slug": slug, "languages": ["en", "fr"], **extra}
    body.update({flag: True for flag in REQUIRED_FLAGS})
    return body


def create_client(live, **extra) -> dict:
    response = requests.post(
        f"{live.url}/incoming/v2/clients", json=complete_client(**extra), headers=AUTH
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["CreateClient"]


def add_content(store, title: str, kind: str = "course", visibility: int = 3) -> str:
    content_id = new_id()
    store.insert(
        "content",
        id=content_id,
        slug=f"{title.lower().replace(' ', '-')}-{content_id[:8]}",
        title=title,
        kind=kind,
        visibility=visibility,
        created_at=now(),
        updated_at=now(),
    )
    return content_id


def add_tag(store, label: str) -> str:
    tag_id = new_id()
    store.insert("tags", id=tag_id, label=label)
    return tag_id


def bad_fields(response) -> set[str]:
    assert response.status_code == 400, response.text
    return {error["field"] for error in response.json()["errors"]}


def put_access(live, client_id: str, **lists):
    body = {
        "courseIds": [],
        "courseTagIds": [],
        "learningPathIds": [],
        "purchasableContentIds": [],
        "purchasableTagIds": [],
        **lists,
    }
    return requests.put(
        f"{live.url}/incoming/v2/clients/{client_id}/updateAccess", json=body, headers=AUTH
    )


# ---- the seeds' examples ----------------------------------------------------------------


def test_seed_000_example_body_is_refused_naming_each_missing_required_field(live):
    body = curl_body(seed_text("000"))
    response = requests.post(f"{live.url}/incoming/v2/clients", json=body, headers=AUTH)
    missing = set(REQUIRED_FLAGS) - set(body) | {"languages"}
    assert bad_fields(response) == missing


def test_seed_000_example_completed_creates_client_in_seed_shape(live):
    text = seed_text("000")
    body = curl_body(text)
    body.update({flag: True for flag in REQUIRED_FLAGS if flag not in body}, languages=["en"])
    response = requests.post(f"{live.url}/incoming/v2/clients", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    created = response.json()["data"]["CreateClient"]
    example = seed_response(text, "CreateClient")
    assert set(example) <= set(created)
    for key in ("id", "name", "courses"):
        assert json_type(created[key]) == json_type(example[key])
    assert uuid.UUID(created["id"])
    assert created["name"] == "string"
    assert created["enableSegmentation"] is True and created["enableDiscussions"] is True
    assert created["enableCreditPurchasing"] is False
    assert created["languages"] == ["en"]


def test_seed_001_example_reads_the_client_back_in_seed_shape(live):
    text = seed_text("001")
    created = create_client(live)
    path = curl_path(text).replace(":id", created["id"])
    response = requests.get(f"{live.url}{path}", headers=AUTH)
    assert response.status_code == 200
    found = response.json()["data"]["ClientById"]
    assert set(seed_response(text, "ClientById")) <= set(found)
    assert found == created


def test_seed_002_example_is_refused_then_succeeds_with_real_ids(live):
    text = seed_text("002")
    created = create_client(live)
    path = curl_path(text).replace(":id", created["id"])
    body = curl_body(text)
    response = requests.put(f"{live.url}{path}", json=body, headers=AUTH)
    # The example omits purchasableTagIds and names ids that do not exist.
    assert bad_fields(response) == {
        "courseIds",
        "courseTagIds",
        "learningPathIds",
        "purchasableContentIds",
        "purchasableTagIds",
    }
    course = add_content(live.store, "Private Course")
    path_id = add_content(live.store, "Private Path", kind="learningPath")
    tag = add_tag(live.store, "Premium Package")
    real = {  # single strings, as the example writes them
        "courseIds": course,
        "courseTagIds": tag,
        "learningPathIds": path_id,
        "purchasableContentIds": course,
        "purchasableTagIds": tag,
    }
    response = requests.put(f"{live.url}{path}", json=real, headers=AUTH)
    assert response.status_code == 200, response.text
    updated = response.json()["data"]["UpdateClientAccess"]
    example = seed_response(text, "UpdateClientAccess")
    assert set(example) <= set(updated)
    assert [c["id"] for c in updated["courses"]] == [course]
    assert [p["id"] for p in updated["learningPaths"]] == [path_id]
    assert updated["courseTagIds"] == [tag] and updated["purchasableContentIds"] == [course]
    assert [t["label"] for t in updated["purchasableTags"]] == ["Premium Package"]
    # Nested courses carry a subset of the seed's fields, with the seed's types.
    example_course = example["courses"][0]
    ours = updated["courses"][0]
    assert set(ours) <= set(example_course)
    assert set(ours["courseGroup"]) <= set(example_course["courseGroup"])
    for key, value in ours.items():
        if value is not None and example_course[key] is not None:
            assert json_type(value) == json_type(example_course[key]), key


# ---- auth and unknown ids -----------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}])
def test_every_endpoint_refuses_missing_or_wrong_api_key(live, headers):
    client_id = create_client(live)["id"]
    calls = [
        ("POST", "/incoming/v2/clients", complete_client("other")),
        ("GET", f"/incoming/v2/clients/{client_id}", None),
        ("PUT", f"/incoming/v2/clients/{client_id}/updateAccess", {}),
    ]
    for method, path, body in calls:
        response = requests.request(method, f"{live.url}{path}", json=body, headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert live.store.scalar("SELECT COUNT(*) FROM clients") == 1


# Fixed values: every test process must collect the same test ids.
@pytest.mark.parametrize(
    "client_id", ["5f0c2a9e-8d4b-4e61-a3f7-2b9c1d0e6a48", "not-a-uuid", "1%27%20OR%201=1"]
)
def test_unknown_client_is_404(live, client_id):
    response = requests.get(f"{live.url}/incoming/v2/clients/{client_id}", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NOT_FOUND"
    response = put_access(live, client_id)
    assert response.status_code == 404


# ---- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": 5}, "name"),
        ({"name": "   "}, "name"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": ["acme"]}, "slug"),
        ({"enableSegmentation": "true"}, "enableSegmentation"),
        ({"enableBranding": 1}, "enableBranding"),
        ({"enableDiscussions": "no"}, "enableDiscussions"),
        ({"languageSelectorEnabled": 0}, "languageSelectorEnabled"),
        ({"languages": "en"}, "languages"),
        ({"languages": ["en", 3]}, "languages"),
        ({"languages": ["en", "english!"]}, "languages"),
        ({"defaultLanguage": "en_US"}, "defaultLanguage"),
        ({"defaultLanguage": "de"}, "defaultLanguage"),
    ],
)
def test_bad_field_is_named(live, change, field):
    body = {**complete_client(), **change}
    response = requests.post(f"{live.url}/incoming/v2/clients", json=body, headers=AUTH)
    assert bad_fields(response) == {field}
    assert live.store.scalar("SELECT COUNT(*) FROM clients") == 0


def test_every_bad_field_is_named_at_once(live):
    body = {"name": 1, "slug": "UPPER", "enableEcommerce": "yes", "languages": [None]}
    response = requests.post(f"{live.url}/incoming/v2/clients", json=body, headers=AUTH)
    assert {"name", "slug", "enableEcommerce", "languages", "enableBranding"} <= bad_fields(
        response
    )


def test_language_tags_follow_bcp_47(live):
    client = create_client(live, languages=["en", "fr-CA", "zh-Hant-TW"], defaultLanguage="fr-CA")
    assert client["languages"] == ["en", "fr-CA", "zh-Hant-TW"]
    assert client["defaultLanguage"] == "fr-CA"


def test_slug_must_be_unique(live):
    create_client(live, slug="northwind")
    response = requests.post(
        f"{live.url}/incoming/v2/clients", json=complete_client("northwind"), headers=AUTH
    )
    assert bad_fields(response) == {"slug"}
    assert "taken" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("name=acme", "application/x-www-form-urlencoded", 415),
        ('{"name": "acme",', "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("\xff\xfe", "application/json", 400),
        ("[" * 100_000, "application/json", 400),
        ("{}" + " " * (2 * 1024 * 1024), "application/json", 413),
    ],
)
def test_body_that_is_not_a_json_object_is_a_clear_4xx(live, data, content_type, status):
    response = requests.post(
        f"{live.url}/incoming/v2/clients",
        data=data.encode("latin-1"),
        headers={**AUTH, "Content-Type": content_type},
    )
    assert response.status_code == status
    assert response.json()["errors"][0]["message"]
    assert live.store.scalar("SELECT COUNT(*) FROM clients") == 0


def test_sql_metacharacters_and_html_are_stored_verbatim(live):
    name = 'Robert\'); DROP TABLE clients;-- <script>alert(1)</script> "x" ünï'
    created = create_client(live, name=name, schoolName="<b>School</b> ' OR 1=1 --")
    response = requests.get(f"{live.url}/incoming/v2/clients/{created['id']}", headers=AUTH)
    found = response.json()["data"]["ClientById"]
    assert found["name"] == name
    assert found["schoolName"] == "<b>School</b> ' OR 1=1 --"
    assert live.store.scalar("SELECT COUNT(*) FROM clients") == 1


# ---- access lists -------------------------------------------------------------------------


def access(store, client_id: str, list_name: str) -> set[str]:
    rows = store.query(
        "SELECT item_id FROM client_access WHERE client_id = ? AND list = ?", client_id, list_name
    )
    return {row[0] for row in rows}


def test_access_lists_append_and_dedupe_unless_replace_is_true(live):
    client = create_client(live)["id"]
    first, second, third = (add_content(live.store, f"Course {n}") for n in range(3))
    assert put_access(live, client, courseIds=[first, first]).status_code == 200
    assert put_access(live, client, courseIds=[second, first]).status_code == 200
    assert access(live.store, client, "course") == {first, second}
    response = put_access(live, client, courseIds=[third], replaceCourseIds=True)
    assert [c["id"] for c in response.json()["data"]["UpdateClientAccess"]["courses"]] == [third]
    assert access(live.store, client, "course") == {third}
    put_access(live, client, courseIds=[], replaceCourseIds=False)
    assert access(live.store, client, "course") == {third}
    put_access(live, client, courseIds=[], replaceCourseIds=True)
    assert access(live.store, client, "course") == set()


def test_each_list_has_its_own_replace_flag(live):
    client = create_client(live)["id"]
    course, other = add_content(live.store, "A"), add_content(live.store, "B")
    path_a = add_content(live.store, "Path A", kind="learningPath")
    path_b = add_content(live.store, "Path B", kind="learningPath")
    tag_a, tag_b = add_tag(live.store, "a"), add_tag(live.store, "b")
    put_access(
        live,
        client,
        courseIds=[course],
        learningPathIds=[path_a],
        courseTagIds=[tag_a],
        purchasableContentIds=[course],
        purchasableTagIds=[tag_a],
    )
    put_access(
        live,
        client,
        courseIds=[other],
        learningPathIds=[path_b],
        courseTagIds=[tag_b],
        purchasableContentIds=[other],
        purchasableTagIds=[tag_b],
        replaceLearningPathIds=True,
        replacePurchasableTagIds=True,
    )
    assert access(live.store, client, "course") == {course, other}
    assert access(live.store, client, "learningPath") == {path_b}
    assert access(live.store, client, "courseTag") == {tag_a, tag_b}
    assert access(live.store, client, "purchasableContent") == {course, other}
    assert access(live.store, client, "purchasableTag") == {tag_b}


@pytest.mark.parametrize(
    ("lists", "field"),
    [
        ({"courseIds": ["not-a-uuid"]}, "courseIds"),
        ({"courseIds": [str(uuid.uuid4())]}, "courseIds"),
        ({"courseIds": 5}, "courseIds"),
        ({"learningPathIds": "COURSE"}, "learningPathIds"),
        ({"courseTagIds": [str(uuid.uuid4())]}, "courseTagIds"),
        ({"replaceCourseIds": "true"}, "replaceCourseIds"),
    ],
)
def test_bad_access_list_is_named_and_nothing_changes(live, lists, field):
    client = create_client(live)["id"]
    course = add_content(live.store, "Kept")
    put_access(live, client, courseIds=[course])
    if lists.get("learningPathIds") == "COURSE":
        lists = {"learningPathIds": [course]}  # a course is not a learning path
    # A good list beside the bad one: all or nothing, the good one is not written either.
    response = put_access(live, client, purchasableContentIds=[course], **lists)
    assert bad_fields(response) == {field}
    assert access(live.store, client, "course") == {course}
    assert access(live.store, client, "purchasableContent") == set()


def test_missing_access_list_is_named(live):
    client = create_client(live)["id"]
    response = requests.put(
        f"{live.url}/incoming/v2/clients/{client}/updateAccess",
        json={"courseIds": []},
        headers=AUTH,
    )
    assert bad_fields(response) == {
        "courseTagIds",
        "learningPathIds",
        "purchasableContentIds",
        "purchasableTagIds",
    }


def test_private_course_is_granted_only_to_the_client_given_access(live):
    granted, other = create_client(live, slug="granted")["id"], create_client(live, slug="o")["id"]
    private = add_content(live.store, "Private")
    put_access(live, granted, courseIds=[private])
    seen = {
        client: [
            c["id"]
            for c in requests.get(f"{live.url}/incoming/v2/clients/{client}", headers=AUTH).json()[
                "data"
            ]["ClientById"]["courses"]
        ]
        for client in (granted, other)
    }
    assert seen == {granted: [private], other: []}


def test_foreign_keys_keep_access_rows_tied_to_clients(live):
    with pytest.raises(sqlite3.IntegrityError):
        live.store.insert("client_access", client_id=str(uuid.uuid4()), list="course", item_id="x")
