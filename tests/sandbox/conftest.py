"""Sandbox-only fixtures: a small deterministic dataset made through the Store, served over HTTP."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from portal.sandbox.store import Store, dumps, iso

GQL_API_KEY = "test-key"
DB_FILES = ("sandbox.sqlite3", "sandbox.sqlite3-wal", "sandbox.sqlite3-shm")
PASSWORDS = {
    "avery": ("avery@example.com", "avery-pass-1"),
    "noah": ("noah@example.com", "noah-pass-1"),
    "disabled": ("dana@example.com", "dana-pass-1"),
    "reset": ("riley@example.com", "riley-pass-1"),
}
# Fixed ids: tests and the example runner refer to them by name.
IDS = {
    name: f"00000000-0000-4000-8000-{index:012d}"
    for index, name in enumerate(
        [
            "company",
            "client_a",
            "client_b",
            "tag_premium",
            "tag_beginner",
            "tariff",
            "analytics",
            "python",
            "data_path",
            "webinar",
            "private_a",
            "hidden",
            "inactive",
            "paid",
            "article",
            "archived",
            "locked_archive",
            "private_b",
            "leadership_path",
            "workshop",
            "license_standard",
            "license_enterprise",
            "license_spare",
            "avery",
            "noah",
            "disabled",
            "reset",
            "leader1",
            "leader2",
            "leader3",
            "leader4",
            "award_completion",
            "award_credit",
            "badge_quick",
            "badge_expert",
            "template",
            "cert_valid",
            "cert_expired",
            "cert_external",
            "field_name",
            "field_date",
            "field_award",
            "field_identifier",
            "lang_en",
            "lang_fr",
            "tr_en",
            "tr_fr",
            "archive_1",
            "archive_2",
            "section_1",
            "section_2",
            "lesson_1",
            "lesson_2",
            "topic_1",
            "topic_2",
            "topic_3",
            "milestone_1",
            "milestone_2",
            "folder_avery",
            "folder_avery_default",
            "folder_noah",
            "bookmark_avery",
            "bookmark_noah",
            "location_hall",
            "beginner_course",
            "section_3",
            "lesson_3",
            "topic_4",
        ],
        start=1,
    )
}
CODES = {
    "valid": "WELCOME",
    "used": "USED-CODE",
    "expired": "OLD-CODE",
    "registration": "JOIN-OK",
    "registration_used": "JOIN-USED",
}


def _moment(days: float) -> str:
    return iso(datetime.now(UTC) + timedelta(days=days))


def build_dataset(store: Store) -> None:
    """The small instance every GraphQL test starts from."""
    from portal.sandbox.auth import hash_password

    i, now = IDS, _moment(0)
    add = store.insert
    add(
        "company",
        id=i["company"],
        name="Test Academy",
        subdomain="test",
        terms="Be kind.",
        settings=dumps(
            {
                "logoAsset": "https://cdn.example.com/logo.png",
                "accentColor": "#FF5733",
                "font": "Inter",
                "retinaLogo": True,
                "backgroundAssetTiled": False,
                "globalNavigationLinks": [{"label": "Home", "href": "/"}],
            }
        ),
    )
    add(
        "languages",
        id=i["lang_en"],
        code="en",
        label="English",
        selector_label="English",
        position=0,
    )
    add(
        "languages",
        id=i["lang_fr"],
        code="fr",
        label="French",
        selector_label="Français",
        position=1,
    )
    add(
        "translations",
        id=i["tr_en"],
        namespace="lms",
        lang="en",
        translations=dumps({"dashboard.title": "My learning"}),
    )
    add(
        "translations",
        id=i["tr_fr"],
        namespace="lms",
        lang="fr",
        translations=dumps({"dashboard.title": "Mon apprentissage"}),
    )
    for key, name, langs in (("client_a", "Acme Corp", ["en", "fr"]), ("client_b", "Beta", ["en"])):
        add(
            "clients",
            id=i[key],
            name=name,
            slug=key.replace("_", "-"),
            created_at=now,
            updated_at=now,
            flags=dumps({"enableEcommerce": True}),
            default_language="en",
            language_selector_enabled=int(len(langs) > 1),
            languages=dumps(langs),
        )
    add("tags", id=i["tag_premium"], label="Premium Package")
    add("tags", id=i["tag_beginner"], label="Beginner")
    add("tariffs", id=i["tariff"], name="Thirty credits", price_in_credits=30)
    content = [
        # key, title, kind, visibility, extra columns
        (
            "analytics",
            "Advanced Data Analytics",
            "course",
            1,
            {
                "price_in_cents": 4999,
                "authors": dumps(["Dr. Alice Smith"]),
                "display_order": 2,
                "created_at": _moment(-30),
                "publish_date": _moment(-29),
            },
        ),
        (
            "python",
            "Python Basics",
            "course",
            1,
            {
                "display_order": 1,
                "created_at": _moment(-20),
                "publish_date": _moment(-19),
                "course_start_date": _moment(-10),
            },
        ),
        (
            "data_path",
            "Data Science Path",
            "learningPath",
            1,
            {"display_order": 3, "created_at": _moment(-10)},
        ),
        (
            "webinar",
            "Live Q&A",
            "webinar",
            1,
            {"display_order": 4, "course_start_date": _moment(5)},
        ),
        ("private_a", "Private Course", "course", 3, {"display_order": 5}),
        ("hidden", "Hidden Course", "course", 2, {"display_order": 6}),
        ("inactive", "Inactive Course", "course", 1, {"is_active": 0}),
        ("paid", "Paid Course", "course", 4, {"tariff_id": i["tariff"], "price_in_cents": 9900}),
        ("article", "Reading List", "article", 4, {"price_in_cents": 500}),
        ("archived", "Archived Course", "course", 1, {}),
        ("locked_archive", "Locked Archive", "course", 1, {}),
        ("private_b", "Beta Only Course", "course", 3, {}),
        ("leadership_path", "Leadership Path", "learningPath", 1, {}),
        (
            "workshop",
            "Full Workshop",
            "inPersonEvent",
            1,
            {"waitlisting_enabled": 1, "seats_limit": 1, "enrollment_start_date": _moment(-3)},
        ),
    ]
    for key, title, kind, visibility, extra in content:
        row = {"created_at": now, "updated_at": now, **extra}
        add(
            "content",
            id=i[key],
            slug=title.lower().replace(" ", "-").replace("&", "and"),
            title=title,
            kind=kind,
            visibility=visibility,
            asset=f"https://cdn.example.com/{key}.png",
            description=f"About {title}.",
            **row,
        )
    add("content_tags", content_id=i["analytics"], tag_id=i["tag_premium"])
    add("content_tags", content_id=i["data_path"], tag_id=i["tag_premium"])
    add("content_tags", content_id=i["python"], tag_id=i["tag_beginner"])
    add("learning_path_items", path_id=i["data_path"], content_id=i["analytics"], position=0)
    add("learning_path_items", path_id=i["data_path"], content_id=i["python"], position=1)
    add("client_access", client_id=i["client_a"], list="course", item_id=i["private_a"])
    add("client_access", client_id=i["client_b"], list="course", item_id=i["private_b"])
    for key, name in (
        ("license_standard", "Standard"),
        ("license_enterprise", "Enterprise"),
        ("license_spare", "Spare"),
    ):
        add("licenses", id=i[key], name=name, client_id=i["client_a"], created_at=now)
    hashes = {who: hash_password(pw) for who, (_email, pw) in PASSWORDS.items()}
    people = [
        (
            "avery",
            "Avery",
            "Johnson",
            "client_a",
            {"balance": 40, "active_license_id": i["license_standard"]},
        ),
        ("noah", "Noah", "Patel", "client_b", {}),
        ("disabled", "Dana", "Disabled", "client_a", {"disabled": 1}),
        ("reset", "Riley", "Reset", "client_a", {"must_reset_password": 1}),
        ("leader1", "Lee", "One", "client_a", {}),
        ("leader2", "Lee", "Two", "client_a", {}),
        ("leader3", "Lee", "Three", "client_a", {}),
        ("leader4", "Lee", "Four", "client_a", {}),
    ]
    for key, first, last, client, extra in people:
        email = PASSWORDS[key][0] if key in PASSWORDS else f"{key}@example.com"
        add(
            "users",
            id=i[key],
            email=email,
            first_name=first,
            last_name=last,
            password_hash=hashes.get(key),
            client_id=i[client],
            created_at=now,
            updated_at=now,
            **extra,
        )
    for key in ("license_standard", "license_enterprise"):
        add("user_licenses", user_id=i["avery"], license_id=i[key])
    enrollments = [
        # content, status, extra
        (
            "analytics",
            "started",
            {"last_viewed_at": _moment(-1), "due_date": _moment(10), "bookmarked": 1},
        ),
        ("python", "completed", {"last_viewed_at": _moment(-2), "completed_at": _moment(-2)}),
        ("data_path", "notStarted", {}),
        ("webinar", "started", {"last_viewed_at": _moment(-3)}),
        ("private_a", "notStarted", {}),
        ("archived", "started", {"archive_id": i["archive_1"], "archived_at": _moment(-5)}),
        (
            "locked_archive",
            "completed",
            {"archive_id": i["archive_2"], "archived_at": _moment(-6), "reinstatable": 0},
        ),
        ("leadership_path", "notStarted", {}),
    ]
    for key, status, extra in enrollments:
        add(
            "enrollments",
            user_id=i["avery"],
            content_id=i[key],
            status=status,
            enrolled_at=_moment(-40),
            **extra,
        )
    add("enrollments", user_id=i["noah"], content_id=i["workshop"], enrolled_at=now)
    add("waitlist", user_id=i["avery"], content_id=i["workshop"], created_at=now)
    add(
        "award_types",
        id=i["award_completion"],
        label="Course Completion",
        plural_label="Course Completions",
        icon="star",
        is_leaderboard=1,
    )
    add("award_types", id=i["award_credit"], label="Credit", plural_label="Credits", icon="check")
    totals = [("leader1", 50), ("leader2", 40), ("leader3", 40), ("leader4", 30), ("avery", 20)]
    for index, (key, amount) in enumerate(totals):
        add(
            "awards",
            id=f"award-{index}",
            user_id=i[key],
            award_type_id=i["award_completion"],
            resource_id=i["analytics"],
            amount=amount,
            created_at=now,
        )
    add(
        "awards",
        id="award-credit",
        user_id=i["avery"],
        award_type_id=i["award_credit"],
        resource_id=i["python"],
        amount=1.5,
        created_at=now,
    )
    add(
        "badges",
        id=i["badge_quick"],
        label="Quick Learner",
        asset="https://cdn.example.com/q.png",
        award_threshold=5,
        award_type_id=i["award_completion"],
    )
    add(
        "badges",
        id=i["badge_expert"],
        label="Expert",
        asset="https://cdn.example.com/e.png",
        award_threshold=100,
        award_type_id=i["award_completion"],
    )
    add(
        "earned_badges", id="earned-1", user_id=i["avery"], badge_id=i["badge_quick"], earned_at=now
    )
    for n in range(2):
        add(
            "collaborations",
            id=f"collab-{n}",
            user_id=i["avery"],
            content_id=i["analytics"],
            body="A comment",
            created_at=now,
        )
    add(
        "certificate_templates",
        id=i["template"],
        title="Course Completion Certificate",
        resource_type="course",
        asset="https://cdn.example.com/template.png",
        expiration_days=365,
    )
    certificates = [
        ("cert_valid", "analytics", _moment(-10), _moment(355), {}),
        ("cert_expired", "python", _moment(-400), _moment(-35), {}),
        (
            "cert_external",
            None,
            _moment(-50),
            None,
            {"is_external": 1, "external_resource_title": "Forklift Safety", "source": "upload"},
        ),
    ]
    for key, resource, issued, expires, extra in certificates:
        add(
            "certificates",
            id=i[key],
            user_id=i["avery"],
            template_id=i["template"],
            resource_id=i[resource] if resource else None,
            resource_type="course" if resource else None,
            issued_at=issued,
            expiration_date=expires,
            identifier=f"CERT-{key}",
            created_at=now,
            **extra,
        )
    fields = [
        ("field_name", "nameLabel", "Learner Name", {}),
        ("field_date", "contentCompletionDate", "Completion Date", {"date_format": "usLong"}),
        ("field_award", "awardLabel", "Credits Earned", {"award_type_id": i["award_credit"]}),
        (
            "field_identifier",
            "identifier",
            "Certificate ID",
            {"identifier_prefix": "CERT-", "identifier_body_length": 8},
        ),
    ]
    for position, (key, kind, label, extra) in enumerate(fields):
        add(
            "certificate_fields",
            id=i[key],
            type=kind,
            label=label,
            include_on_transcript=1,
            position=position,
            **extra,
        )
    codes = [
        (
            CODES["valid"],
            "redemption",
            {"content_ids": dumps([i["hidden"]]), "credits": 10, "license_id": i["license_spare"]},
        ),
        (CODES["used"], "redemption", {"uses": 1}),
        (CODES["expired"], "redemption", {"expires_at": _moment(-1)}),
        (CODES["registration"], "registration", {"content_ids": dumps([i["article"]])}),
        (CODES["registration_used"], "registration", {"uses": 1}),
    ]
    for code, kind, extra in codes:
        add("codes", code=code, kind=kind, created_at=now, **extra)
    build_learning(store)


def build_learning(store: Store) -> None:
    """Course structure, milestones, events, awards on completion and bookmarks."""
    i, now = IDS, _moment(0)
    add = store.insert
    # "Beginner Course": free, public, not enrolled; two sections, three topics; completing it
    # earns 10 completion awards and a certificate from the template.
    add(
        "content",
        id=i["beginner_course"],
        slug="beginner-course",
        title="Beginner Course",
        kind="course",
        visibility=1,
        description="Start here.",
        certificate_template_id=i["template"],
        created_at=now,
        updated_at=now,
    )
    add("content_awards", content_id=i["beginner_course"],
        award_type_id=i["award_completion"], amount=10)  # fmt: skip
    sections = (
        ("section_1", "beginner_course", "Getting started", (("lesson_1", "Welcome",
            (("topic_1", "Why learn", "text"), ("topic_2", "A short video", "video"))),)),
        ("section_2", "beginner_course", "Wrapping up", (("lesson_2", "Summary",
            (("topic_3", "What you learned", "text"),)),)),
        ("section_3", "analytics", "Analytics", (("lesson_3", "Charts",
            (("topic_4", "Reading charts", "text"),)),)),
    )  # fmt: skip
    for position, (key, course, title, lessons) in enumerate(sections):
        add("sections", id=i[key], content_id=i[course], slug=key, title=title, position=position)
        for lesson_position, (lesson, lesson_title, topics) in enumerate(lessons):
            add("lessons", id=i[lesson], section_id=i[key], slug=lesson, title=lesson_title,
                position=lesson_position)  # fmt: skip
            for topic_position, (topic, topic_title, kind) in enumerate(topics):
                add("topics", id=i[topic], lesson_id=i[lesson], title=topic_title, type=kind,
                    body=f"<p>{topic_title}</p>", position=topic_position)  # fmt: skip
    # Data Science Path: two milestones, one per course; Avery completed Python Basics.
    for position, (key, name, course) in enumerate(
        (("milestone_1", "Foundations", "python"), ("milestone_2", "Analysis", "analytics"))
    ):
        add("milestones", id=i[key], path_id=i["data_path"], name=name, position=position)
        add("milestone_content", milestone_id=i[key], content_id=i[course], position=0)
    # Events: the webinar has a join link and a time zone; the workshop a place.
    add("locations", id=i["location_hall"], name="Main Hall", address1="1 Market Street",
        city="London", country="GB", room="Room 4", time_zone="Europe/London")  # fmt: skip
    store.execute(
        "UPDATE content SET join_url = ?, time_zone = ?, webinar_provider = 'zoom', "
        "course_end_date = ? WHERE id = ?",
        "https://zoom.example.com/j/123",
        "America/New_York",
        _moment(5.05),
        i["webinar"],
    )
    store.execute(
        "UPDATE content SET location_id = ?, time_zone = 'Europe/London', course_start_date = ?, "
        "course_end_date = ? WHERE id = ?",
        i["location_hall"],
        _moment(12),
        _moment(12.2),
        i["workshop"],
    )
    for key, user, default, name in (
        ("folder_avery_default", "avery", 1, "Bookmarks"),
        ("folder_avery", "avery", 0, "Read later"),
        ("folder_noah", "noah", 1, "Bookmarks"),
    ):
        add("bookmark_folders", id=i[key], user_id=i[user], name=name, default_folder=default,
            created_at=now)  # fmt: skip
    add("bookmarks", id=i["bookmark_avery"], user_id=i["avery"], folder_id=i["folder_avery"],
        content_id=i["analytics"], note="Charts", created_at=now)  # fmt: skip
    add("bookmarks", id=i["bookmark_noah"], user_id=i["noah"], folder_id=i["folder_noah"],
        content_id=i["python"], note="", created_at=now)  # fmt: skip


@dataclass
class GqlSandbox:
    """A running sandbox with the dataset above: .gql() posts GraphQL, .login() gets a token."""

    url: str
    store: Store
    app: object
    ids: dict = field(default_factory=lambda: dict(IDS))
    codes: dict = field(default_factory=lambda: dict(CODES))
    passwords: dict = field(default_factory=lambda: dict(PASSWORDS))
    tokens: dict = field(default_factory=dict)

    def gql(
        self,
        query,
        variables=None,
        token=None,
        api_key=GQL_API_KEY,
        operation_name=None,
        timeout=10,
    ) -> requests.Response:
        body = {"query": query, "variables": variables}
        if operation_name:
            body["operationName"] = operation_name
        headers = {"authToken": token} if token else {}
        return requests.post(
            f"{self.url}/helium",
            params={"apiKey": api_key},
            json=body,
            headers=headers,
            timeout=timeout,
        )

    def login(self, who: str = "avery") -> str:
        if who not in self.tokens:
            email, password = self.passwords[who]
            answer = self.gql(
                "mutation($e: String!, $p: String!) { Login(email: $e, password: $p) }",
                {"e": email, "p": password},
            ).json()
            self.tokens[who] = answer["data"]["Login"]
        return self.tokens[who]

    def data(self, query, variables=None, who: str | None = "avery") -> dict:
        """The data of a query that must succeed."""
        answer = self.gql(query, variables, token=self.login(who) if who else None)
        body = answer.json()
        assert answer.status_code == 200 and "errors" not in body, body
        return body["data"]

    def count(self, table: str) -> int:
        return self.store.scalar(f"SELECT COUNT(*) FROM {table}")


@pytest.fixture(scope="session")
def gql_dataset(tmp_path_factory) -> Path:
    """The dataset, built once per session (argon2 hashing is the slow part); tests copy it."""
    directory = tmp_path_factory.mktemp("gql-dataset")
    store = Store(directory / DB_FILES[0])
    build_dataset(store)
    store.close()
    with sqlite3.connect(directory / DB_FILES[0]) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return directory


def start_gql_sandbox(dataset: Path, target: Path, **options):
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.server import start

    target.mkdir(parents=True, exist_ok=True)
    for name in DB_FILES:
        if (dataset / name).exists():
            shutil.copyfile(dataset / name, target / name)
    app = create_sandbox_app(target, api_key=GQL_API_KEY, **options)
    return start(app), app


@pytest.fixture
def make_gql_sandbox(gql_dataset, tmp_path):
    """Callable: make_gql_sandbox(points_per_minute=..., fail_rate=...) -> GqlSandbox."""
    running = []

    def make(**options) -> GqlSandbox:
        server, app = start_gql_sandbox(gql_dataset, tmp_path / f"gql-{len(running)}", **options)
        running.append((server, app))
        return GqlSandbox(server.url, app.extensions["sandbox"].store, app)

    yield make
    for server, app in running:
        server.stop()
        app.extensions["sandbox"].store.close()


@pytest.fixture
def gql_sandbox(make_gql_sandbox) -> GqlSandbox:
    """A fresh sandbox per test, on the dataset above."""
    return make_gql_sandbox()
