"""The demo instance: Northwind Academy, its clients, catalog, leaderboard and three learners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import requests
from argon2 import PasswordHasher
from werkzeug.security import check_password_hash

from portal.sandbox import create_sandbox_app, server
from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS, build_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = create_sandbox_app(tmp_path_factory.mktemp("demo"), api_key="test-key")
    running = server.start(app)
    running.result = build_demo(app, base_url=running.url)
    running.store = app.extensions["sandbox"].store
    running.app = app
    yield running
    running.stop()
    running.store.close()


def user(demo, who: str):
    return demo.store.one("SELECT * FROM users WHERE email = ?", DEMO_LOGINS[who][0])


def count(demo, sql: str, *params) -> int:
    return demo.store.scalar(f"SELECT COUNT(*) FROM {sql}", *params)


def days_from_now(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")


def test_build_returns_logins_and_api_key(demo):
    assert demo.result["logins"] == DEMO_LOGINS
    assert demo.result["api_key"] == "test-key"
    assert demo.store.get_meta("default_password") is None


def test_company_is_branded(demo):
    company = demo.store.one("SELECT * FROM company")
    assert (company["name"], company["subdomain"]) == ("Northwind Academy", "northwind")
    settings = json.loads(company["settings"])
    for key in ("logoAsset", "accentColor", "font", "favicon", "customCss"):
        assert settings[key]
    assert len(settings["globalNavigationLinks"]) >= 2
    assert company["terms"]
    logo = requests.get(settings["logoAsset"])
    assert logo.status_code == 200 and b"<svg" in logo.content
    assert [r[0] for r in demo.store.query("SELECT code FROM languages ORDER BY position")] == [
        "en",
        "fr",
        "de",
    ]
    langs = demo.store.query("SELECT lang, translations FROM translations WHERE namespace='lms'")
    assert {row["lang"] for row in langs} == {"en", "fr", "de"}
    assert all("dashboard.contentItems" in json.loads(row["translations"]) for row in langs)


def test_two_clients_made_through_rest_one_multilingual(demo):
    auth = {"Authorization": "Bearer test-key"}
    clients = {}
    for client_id in demo.result["clients"].values():
        response = requests.get(f"{demo.url}/incoming/v2/clients/{client_id}", headers=auth)
        found = response.json()["data"]["ClientById"]
        clients[found["slug"]] = found
    europe, corporate = clients["northwind-europe"], clients["northwind-corporate"]
    assert europe["languages"] == ["en", "fr", "de"] and europe["languageSelectorEnabled"]
    assert corporate["languages"] == ["en"] and not corporate["languageSelectorEnabled"]
    assert {c["title"] for c in corporate["courses"]} == {
        "Executive Presence",
        "Insider Trading Rules",
    }
    assert [p["name"] for p in corporate["learningPaths"]] == ["Leadership Premium Bundle"]
    assert {lic["name"] for lic in corporate["licenses"]} == {
        "Sales Enablement",
        "Engineering Academy",
    }


def test_catalog_has_about_forty_items_in_groups_with_images(demo):
    assert 38 <= count(demo, "content") <= 45
    kinds = dict(demo.store.query("SELECT kind, COUNT(*) FROM content GROUP BY kind"))
    assert kinds["course"] >= 20 and kinds["learningPath"] >= 5
    assert {"webinar", "article", "video"} <= set(kinds)
    assert count(demo, "content WHERE asset IS NULL OR group_name IS NULL") == 0
    visibility = dict(demo.store.query("SELECT visibility, COUNT(*) FROM content GROUP BY 1"))
    assert set(visibility) == {1, 2, 3, 4}
    assert count(demo, "content WHERE is_active = 0") == 1
    assert count(demo, "content WHERE visibility = 4 AND tariff_id IS NULL") == 0
    assert count(demo, "learning_path_items") >= 15
    image = demo.store.scalar("SELECT asset FROM content WHERE kind = 'course' LIMIT 1")
    assert requests.get(image).content.startswith(b"\x89PNG")


def test_leaderboard_has_sixty_learners_with_ties(demo):
    # Sixty learners of Northwind's two clients, and Lena of Lakeside Health (no awards).
    assert count(demo, "users") == 61
    totals = demo.store.query(
        "SELECT u.email, SUM(a.amount) AS total FROM awards a JOIN users u ON u.id = a.user_id "
        "JOIN award_types t ON t.id = a.award_type_id WHERE t.is_leaderboard = 1 "
        "GROUP BY u.id ORDER BY total DESC"
    )
    assert len(totals) == 59  # Noah has none yet
    assert totals[0]["total"] == totals[1]["total"]
    avery = next(row["total"] for row in totals if row["email"] == DEMO_LOGINS["busy"][0])
    assert sum(row["total"] == avery for row in totals) >= 2
    assert count(demo, "award_types WHERE is_leaderboard = 1") == 1


def test_busy_learner_has_a_bit_of_everything(demo):
    avery = user(demo, "busy")
    uid = avery["id"]
    assert avery["balance"] == 120 and avery["active_license_id"]
    assert count(demo, "user_licenses WHERE user_id = ?", uid) == 2
    soon, today = days_from_now(30), days_from_now(0)
    certs = "certificates WHERE user_id = ? AND deleted = 0"
    assert count(demo, f"{certs} AND expiration_date < ?", uid, today) >= 2
    assert count(demo, f"{certs} AND expiration_date BETWEEN ? AND ?", uid, today, soon) >= 2
    assert (
        count(demo, f"{certs} AND (expiration_date IS NULL OR expiration_date > ?)", uid, soon) >= 2
    )
    assert count(demo, f"{certs} AND is_external = 1", uid) == 1
    assert count(demo, "certificate_fields") >= 5
    assert count(demo, "earned_badges WHERE user_id = ?", uid) >= 3
    assert count(demo, "badges") > count(demo, "earned_badges WHERE user_id = ?", uid)
    assert count(demo, "waitlist WHERE user_id = ?", uid) == 2
    archived = "enrollments WHERE user_id = ? AND archived_at IS NOT NULL"
    assert count(demo, archived, uid) == 3
    assert count(demo, f"{archived} AND reinstatable = 0", uid) == 1
    active = "enrollments WHERE user_id = ? AND archived_at IS NULL"
    assert count(demo, f"{active} AND status = 'started' AND progress > 0", uid) >= 4
    assert count(demo, f"{active} AND status = 'completed'", uid) >= 4
    assert count(demo, f"{active} AND due_date IS NOT NULL", uid) >= 3
    assert count(demo, f"{active} AND last_viewed_at IS NOT NULL", uid) >= 6
    assert count(demo, f"{active} AND bookmarked = 1", uid) >= 3
    assert count(demo, "collaborations WHERE user_id = ?", uid) >= 1
    assert count(demo, "awards a JOIN award_types t ON t.id = a.award_type_id "
                 "WHERE a.user_id = ? AND t.is_leaderboard = 0", uid) >= 3  # fmt: skip


def test_new_learner_has_almost_nothing(demo):
    noah = user(demo, "new")
    assert noah["balance"] == 0 and noah["active_license_id"] is None
    assert count(demo, "enrollments WHERE user_id = ?", noah["id"]) == 1
    for table in ("certificates", "awards", "earned_badges", "waitlist", "user_licenses"):
        assert count(demo, f"{table} WHERE user_id = ?", noah["id"]) == 0


def test_multilingual_learner_speaks_french_on_the_multilingual_client(demo):
    camille = user(demo, "multilingual")
    assert camille["lang"] == "fr"
    languages = demo.store.scalar(
        "SELECT languages FROM clients WHERE id = ?", camille["client_id"]
    )
    assert languages == '["en","fr","de"]'
    assert count(demo, "enrollments WHERE user_id = ?", camille["id"]) >= 2


def verifies(stored: str, password: str) -> bool:
    if stored.startswith("$argon2"):
        return PasswordHasher().verify(stored, password)
    return check_password_hash(stored, password)  # the sandbox may hash with scrypt


def test_demo_passwords_verify_and_others_have_none_until_they_choose_one(demo):
    for email, password in DEMO_LOGINS.values():
        stored = demo.store.scalar("SELECT password_hash FROM users WHERE email = ?", email)
        assert verifies(stored, password)
    marks = ", ".join("?" for _ in DEMO_LOGINS)
    others = demo.store.query(
        f"SELECT password_hash FROM users WHERE email NOT IN ({marks})",
        *(email for email, _ in DEMO_LOGINS.values()),
    )
    assert others and all(row["password_hash"] is None for row in others)
    # Their welcome mail is not kept: the outbox starts empty.
    assert count(demo, "outbox") == 0


def test_branded_client_has_its_own_look_languages_and_learner(demo):
    lena = demo.store.one("SELECT * FROM users WHERE email = ?", DEMO_LOGINS["branded"][0])
    client = demo.store.one("SELECT * FROM clients WHERE id = ?", lena["client_id"])
    assert client["name"] == "Lakeside Health"
    assert client["default_language"] == "de" and client["languages"] == '["de","en"]'
    assert client["auto_filter_for_selected_language"] == 1
    look = demo.store.one(
        "SELECT * FROM client_appearance WHERE client_id = ?", lena["client_id"]
    )
    assert "#0B6E4F" in look["settings"] and "lakeside-health.svg" in look["settings"]


def test_learners_went_in_through_graphql_create_learners(demo):
    assert demo.result["notes"] == []


def test_codes_are_valid_used_and_expired(demo):
    today = days_from_now(0)
    for kind, codes in DEMO_CODES.items():
        valid = demo.store.one("SELECT * FROM codes WHERE code = ?", codes["valid"])
        used = demo.store.one("SELECT * FROM codes WHERE code = ?", codes["used"])
        expired = demo.store.one("SELECT * FROM codes WHERE code = ?", codes["expired"])
        assert valid["kind"] == used["kind"] == expired["kind"] == kind
        assert valid["uses"] < valid["max_uses"] and valid["expires_at"] > today
        assert used["uses"] == used["max_uses"]
        assert count(demo, "code_redemptions WHERE code = ?", codes["used"]) == 1
        assert expired["expires_at"] < today


def test_rebuilding_gives_the_same_instance(demo):
    def snapshot():
        return (
            demo.store.query("SELECT slug, title, kind, visibility FROM content ORDER BY slug"),
            demo.store.query("SELECT email, first_name FROM users ORDER BY email"),
            demo.store.query(
                "SELECT u.email, SUM(a.amount) FROM awards a JOIN users u ON u.id = a.user_id "
                "GROUP BY u.email ORDER BY u.email"
            ),
        )

    before = [[tuple(row) for row in rows] for rows in snapshot()]
    build_demo(demo.app, base_url=demo.url)
    after = [[tuple(row) for row in rows] for rows in snapshot()]
    assert after == before


CLI_SSO_SECRET = "cli-sso-secret-of-thirty-two-bytes-or-more"


def test_cli_prints_url_key_logins_and_serves(tmp_path):
    env = {**os.environ, "TI_API_KEY": "cli-key", "TI_SSO_SECRET": CLI_SSO_SECRET}
    login_url = "https://portal.example.com/sso/login?returnTo={{returnTo}}"
    process = subprocess.Popen(
        [sys.executable, "-c", "from portal.sandbox.cli import sandbox_command; sandbox_command()",
         "--port", "0", "--data-dir", str(tmp_path), "--sso-login-url", login_url],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl+C" in line:
                break
        output = "".join(lines)
        assert "cli-key" in output
        for email, password in DEMO_LOGINS.values():
            assert f"{email} / {password}" in output
        assert "welcome-to-learning" not in output
        assert "/outbox" in output
        url = next(line.split()[-1] for line in lines if line.startswith("Sandbox running at"))
        response = requests.get(
            f"{url}/incoming/v2/clients/00000000-0000-0000-0000-000000000000",
            headers={"Authorization": "Bearer cli-key"},
        )
        assert response.status_code == 404
        # Its single sign-on settings, the secret printed like the API key, and in force.
        assert f"Secret:             {CLI_SSO_SECRET}" in output and login_url in output
        signed = jwt.encode({"iat": int(time.time()), "jti": "1", "email": DEMO_LOGINS["busy"][0]},
                            CLI_SSO_SECRET, algorithm="HS256")  # fmt: skip
        answer = requests.get(f"{url}/access/jwt", params={"jwt": signed}, allow_redirects=False)
        assert answer.status_code == 303 and answer.cookies.get("ti_session")
        assert requests.get(f"{url}/sign-in", allow_redirects=False).headers["Location"].startswith(
            "https://portal.example.com/sso/login?returnTo=http"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def learner_items(demo, who: str) -> dict[str, dict]:
    """title -> {status, progress, due_date, archived_at, kind} of a demo learner."""
    rows = demo.store.query(
        "SELECT content.title, content.kind, enrollments.* FROM enrollments "
        "JOIN content ON content.id = enrollments.content_id WHERE enrollments.user_id = ?",
        user(demo, who)["id"],
    )
    return {row["title"]: dict(row) for row in rows}


def test_busy_learner_has_items_in_every_state(demo):
    items = learner_items(demo, "busy")
    active = {t: i for t, i in items.items() if i["archived_at"] is None}
    states = {i["status"] for i in active.values()}
    assert states == {"notStarted", "started", "completed"}
    percents = {i["progress"] for i in active.values() if i["status"] == "started"}
    assert len(percents) >= 4 and all(0 < p < 100 for p in percents)
    today = days_from_now(0)
    overdue = [t for t, i in active.items() if i["due_date"] and i["due_date"] < today
               and i["status"] != "completed"]  # fmt: skip
    assert overdue == ["Coaching Conversations"]


def test_topic_progress_adds_up_to_each_percent(demo):
    from portal.sandbox import learning

    checked = {}
    for title, item in learner_items(demo, "busy").items():
        topics = learning.course_topics(demo.store, item["content_id"])
        if not topics:
            continue
        done = learning.topic_progress(demo.store, item["user_id"], item["content_id"])
        percent = sum(done.get(t["id"], 0) for t in topics) // len(topics)
        expected = 100 if item["status"] == "completed" else item["progress"]
        assert percent == expected, title
        checked[title] = item["status"]
    # Every state is among them, so a demo without syllabi fails here.
    assert set(checked.values()) == {"notStarted", "started", "completed"}, checked


def test_events_upcoming_and_past_in_person_and_online(demo):
    events = {
        row["title"]: row
        for row in demo.store.query(
            "SELECT content.*, locations.city FROM content "
            "LEFT JOIN locations ON locations.id = content.location_id "
            "WHERE kind IN ('webinar', 'inPersonEvent')"
        )
    }
    today = days_from_now(0)
    offsite, meetup = events["Leadership Offsite London"], events["Analytics Meetup Manchester"]
    assert offsite["course_start_date"] > today and offsite["city"] == "London"
    assert meetup["course_start_date"] < today and meetup["city"] == "Manchester"
    briefing = events["Compliance Briefing 2025"]
    assert briefing["course_start_date"] < today and briefing["join_url"].startswith("https://")
    webinars = [e for e in events.values() if e["kind"] == "webinar"]
    assert all(e["join_url"] and e["time_zone"] for e in webinars)
    items = learner_items(demo, "busy")
    assert items["Leadership Offsite London"]["status"] == "notStarted"
    assert items["Analytics Meetup Manchester"]["status"] == "completed"
    assert items["Compliance Update 2026"]["status"] == "notStarted"


def test_a_learning_path_is_half_done_by_milestones(demo):
    from portal.sandbox import learning

    path = demo.store.one("SELECT * FROM content WHERE title = 'New Manager Journey'")
    avery = user(demo, "busy")["id"]
    stones = learning.milestones(demo.store, path["id"])
    done = [learning.milestone_completed_at(demo.store, avery, m["id"]) for m in stones]
    assert [m["name"] for m in stones] == ["Lead yourself", "Lead others"]
    assert done[0] is not None and done[1] is None
    assert 0 < learner_items(demo, "busy")["New Manager Journey"]["progress"] < 100
    assert count(demo, "milestones") >= 2 * 6


def test_a_hidden_course_is_held_by_no_demo_learner(demo):
    hidden = demo.store.query("SELECT id FROM content WHERE visibility = 2 AND is_active = 1")
    assert hidden
    for row in hidden:
        for who in DEMO_LOGINS:
            assert not demo.store.scalar(
                "SELECT 1 FROM enrollments WHERE user_id = ? AND content_id = ?",
                user(demo, who)["id"],
                row["id"],
            )


def test_completing_earns_points_and_most_courses_a_certificate(demo):
    courses = "content WHERE kind = 'course'"
    assert count(demo, f"{courses} AND certificate_template_id IS NULL") == 0
    assert count(demo, "content_awards") >= count(demo, "content WHERE kind != 'learningPath'")


def test_busy_learner_keeps_bookmarks_in_folders_and_the_new_one_none(demo):
    avery = user(demo, "busy")["id"]
    folders = demo.store.query(
        "SELECT name, default_folder, (SELECT COUNT(*) FROM bookmarks b WHERE b.folder_id = f.id) "
        "AS n FROM bookmark_folders f WHERE user_id = ? ORDER BY name",
        avery,
    )
    assert [(f["name"], f["default_folder"], f["n"]) for f in folders] == [
        ("Bookmarks", 1, 2),
        ("Team picks", 0, 2),
        ("To revisit", 0, 2),
    ]
    assert count(demo, "bookmarks WHERE user_id = ? AND topic_id IS NOT NULL", avery) == 1
    noah = user(demo, "new")["id"]
    assert count(demo, "bookmarks WHERE user_id = ?", noah) == 0
    assert count(demo, "topic_progress WHERE user_id = ?", noah) == 0
