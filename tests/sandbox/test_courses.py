"""Course creation of the sandbox (seed 004) over real HTTP, and the images it serves."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
import requests

from portal.sandbox import create_sandbox_app, server
from portal.sandbox.courses import mint_admin_token
from portal.sandbox.store import new_id

SEED = next((Path(__file__).resolve().parents[2].parent / "shared" / "seeds").glob("004_*.txt"))
REQUIRED = ("LocationId", "HostId", "Title", "DisplayOrder", "Visibility")


@pytest.fixture
def live(tmp_path):
    app = create_sandbox_app(tmp_path, api_key="test-key")
    running = server.start(app)
    store = app.extensions["sandbox"].store
    running.store = store
    running.location = new_id()
    store.insert("locations", id=running.location, name="Online Campus")
    running.tariff = new_id()
    store.insert("tariffs", id=running.tariff, name="Premium", price_in_credits=40)
    running.token = mint_admin_token(store, "admin")
    yield running
    running.stop()
    store.close()


def example_body(live) -> dict:
    """Seed 004 shows no literal body: every field of its list, in its descriptions' order."""
    return {
        "LocationId": live.location,
        "HostId": "host-42",
        "Title": "Foundations of Leadership",
        "DisplayOrder": 10,
        "Visibility": 4,
        "ShortDescription": "Lead with clarity.",
        "Description": "What this course is about.",
        "ShowOverview": True,
        "HasCommunityGroup": True,
        "Overview": "Overview text.",
        "ThumbnailImageUrl": "https://cdn.example.com/thumb.jpg",
        "RemoveThumbnailImage": False,
        "BannerImageUrl": "https://cdn.example.com/banner.PNG",
        "RemoveBannerImage": False,
        "Active": True,
        "GroupName": "Leadership",
        "ShowInHomePage": True,
        "TariffId": live.tariff,
    }


def post(live, body, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token or live.token}", **kwargs.pop("headers", {})}
    return requests.post(f"{live.url}/api/content/courses", json=body, headers=headers, **kwargs)


def course_row(live, course_id):
    return live.store.one("SELECT * FROM content WHERE id = ?", course_id)


def failed_properties(response) -> list[str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["WasSuccessful"] is False and body["Value"] is None and body["Status"] == 400
    return [error["PropertyName"] for error in body["Errors"]]


def test_seed_names_the_fields_the_example_uses():
    text = SEED.read_text()
    for name in ("Visibility", "TariffId", "HasCommunityGroup", "ShowInHomePage", "GroupName"):
        assert name in text
    assert "Course-Create" in text


def test_seed_004_example_creates_a_course_stored_as_content(live):
    body = example_body(live)
    response = post(live, body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer == {
        "Status": 200,
        "Message": "Course created.",
        "Value": {"Id": answer["Value"]["Id"]},
        "WasSuccessful": True,
        "Errors": None,
    }
    row = course_row(live, str(uuid.UUID(answer["Value"]["Id"])))
    assert row["kind"] == "course" and row["title"] == body["Title"]
    assert row["slug"] == "foundations-of-leadership"
    assert (row["visibility"], row["tariff_id"]) == (4, live.tariff)
    assert (row["display_order"], row["group_name"], row["show_in_home_page"]) == (
        10,
        "Leadership",
        1,
    )
    assert row["is_active"] == 1 and row["location_id"] == live.location
    assert row["asset"] == body["ThumbnailImageUrl"]
    assert row["banner_asset"] == body["BannerImageUrl"]
    assert (row["show_overview"], row["has_community_group"]) == (1, 1)
    assert row["short_description"] == "Lead with clarity."


@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_field_missing_is_a_400_naming_it(live, field):
    body = example_body(live)
    del body[field]
    response = post(live, body)
    assert failed_properties(response) == [field]
    message = response.json()["Message"]
    assert message.startswith(f"{field}: '") and "must not be empty" in message
    assert live.store.scalar("SELECT COUNT(*) FROM content") == 0


def test_empty_body_names_every_required_field_in_the_message(live):
    response = post(live, {})
    assert failed_properties(response) == list(REQUIRED)
    message = response.json()["Message"]
    assert message.startswith("LocationId: 'Location Id' must not be empty.")
    assert "Title: 'Title' must not be empty." in message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"Title": 5}, "Title"),
        ({"Title": "  "}, "Title"),
        ({"Title": "x" * 201}, "Title"),
        ({"DisplayOrder": "3"}, "DisplayOrder"),
        ({"DisplayOrder": True}, "DisplayOrder"),
        ({"DisplayOrder": -1}, "DisplayOrder"),
        ({"Visibility": 7}, "Visibility"),
        ({"Visibility": "Secret"}, "Visibility"),
        ({"Active": "yes"}, "Active"),
        ({"ShortDescription": "x" * 401}, "ShortDescription"),
        ({"ThumbnailImageUrl": "ftp://cdn.example.com/a.png"}, "ThumbnailImageUrl"),
        ({"ThumbnailImageUrl": "https://cdn.example.com/a.svg"}, "ThumbnailImageUrl"),
        ({"BannerImageUrl": "javascript:alert(1)//.png"}, "BannerImageUrl"),
        ({"RemoveBannerImage": True}, "RemoveBannerImage"),
        ({"LocationId": str(uuid.uuid4())}, "LocationId"),
        ({"TariffId": "no-such-tariff"}, "TariffId"),
        ({"HostId": {"id": 1}}, "HostId"),
    ],
)
def test_bad_field_is_a_400_naming_it(live, change, field):
    response = post(live, {**example_body(live), **change})
    assert failed_properties(response) == [field]
    assert live.store.scalar("SELECT COUNT(*) FROM content") == 0


def test_paid_course_needs_a_tariff(live):
    body = {**example_body(live), "Visibility": "Paid"}
    del body["TariffId"]
    response = post(live, body)
    assert failed_properties(response) == ["TariffId"]
    assert "Paid" in response.json()["Errors"][0]["ErrorMessage"]


@pytest.mark.parametrize(
    ("visibility", "stored"),
    [(1, 1), (2, 2), (3, 3), ("Public", 1), ("hidden", 2), ("Private", 3), ("PAID", 4)],
)
def test_visibility_is_stored_by_number_or_name(live, visibility, stored):
    response = post(live, {**example_body(live), "Visibility": visibility})
    assert course_row(live, response.json()["Value"]["Id"])["visibility"] == stored


def test_inactive_course_is_stored_inactive_and_defaults_apply(live):
    minimal = {k: example_body(live)[k] for k in REQUIRED} | {"Visibility": "Hidden"}
    default = course_row(live, post(live, minimal).json()["Value"]["Id"])
    assert (default["is_active"], default["show_in_home_page"], default["group_name"]) == (
        1,
        0,
        None,
    )
    inactive = post(live, {**minimal, "Title": "Old", "Active": False}).json()["Value"]["Id"]
    assert course_row(live, inactive)["is_active"] == 0


def test_same_title_gets_a_unique_slug(live):
    ids = [post(live, example_body(live)).json()["Value"]["Id"] for _ in range(3)]
    slugs = [course_row(live, course_id)["slug"] for course_id in ids]
    assert slugs == [
        "foundations-of-leadership",
        "foundations-of-leadership-2",
        "foundations-of-leadership-3",
    ]


def test_field_names_bind_case_insensitively(live):
    body = {key[0].lower() + key[1:]: value for key, value in example_body(live).items()}
    lowered = post(live, body)
    assert lowered.status_code == 200
    canonical = post(live, example_body(live))
    # Every field bound, optional ones included: the same course as with the seed's names.
    rows = [
        dict(course_row(live, response.json()["Value"]["Id"]))
        for response in (lowered, canonical)
    ]
    for row in rows:
        for column in ("id", "slug", "created_at", "updated_at", "publish_date"):
            row.pop(column, None)
    assert rows[0] == rows[1]
    assert rows[0]["group_name"] and rows[0]["tariff_id"]


def test_sql_metacharacters_and_html_are_stored_verbatim(live):
    title = "Intro'); DROP TABLE content;-- <img src=x onerror=alert(1)>"
    response = post(live, {**example_body(live), "Title": title, "Description": "<b>bold</b>"})
    row = course_row(live, response.json()["Value"]["Id"])
    assert (row["title"], row["description"]) == (title, "<b>bold</b>")
    assert row["slug"] == "intro-drop-table-content-img-src-x-onerror-alert-1"


def test_missing_or_unknown_token_is_401(live):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = requests.post(
            f"{live.url}/api/content/courses", json=example_body(live), headers=headers
        )
        assert response.status_code == 401
        assert response.json()["WasSuccessful"] is False
    assert live.store.scalar("SELECT COUNT(*) FROM content") == 0


def test_token_without_the_role_is_403_and_course_create_role_is_enough(live):
    viewer = mint_admin_token(live.store, "Viewer")
    assert post(live, example_body(live), token=viewer).status_code == 403
    creator = mint_admin_token(live.store, "Course-Create")
    assert post(live, example_body(live), token=creator).status_code == 200


def test_tokens_are_kept_only_as_hashes(live):
    rows = live.store.query("SELECT * FROM admin_tokens")
    digest = hashlib.sha256(live.token.encode()).hexdigest()
    assert digest in [row["token_hash"] for row in rows]
    assert not any(live.token in str(value) for row in rows for value in tuple(row))


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("Title=x", "application/x-www-form-urlencoded", 415),
        ('{"Title": ', "application/json", 400),
        ('"just a string"', "application/json", 400),
        ("{}" + " " * (2 * 1024 * 1024), "application/json", 413),
    ],
)
def test_body_that_is_not_a_json_object_is_a_clear_4xx(live, data, content_type, status):
    response = post(live, None, data=data, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert response.json()["Status"] == status and response.json()["WasSuccessful"] is False
    assert live.store.scalar("SELECT COUNT(*) FROM content") == 0


def test_generated_images_are_served(live):
    png = requests.get(f"{live.url}/assets/course-1.png")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = requests.get(f"{live.url}/assets/northwind-logo.svg")
    assert svg.headers["Content-Type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert requests.get(f"{live.url}/assets/x.exe").status_code == 404
    assert requests.get(f"{live.url}/assets/..%2Fstore.png").status_code == 404
