"""Calendars: an .ics per event, the personal feed behind a secret, and resetting that secret."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from tests.conftest import csrf_from

HX = {"HX-Request": "true"}
TOKYO_SELECTED = r'<option selected value="Asia/Tokyo"|value="Asia/Tokyo" selected'


def text(response) -> str:
    return response.get_data(as_text=True)


def learner_events(sandbox, email="avery@example.com") -> dict:
    """The learner's enrolled events: title -> start, straight from the sandbox's store."""
    rows = sandbox.store.query(
        "SELECT c.id, c.title, c.course_start_date FROM enrollments e "
        "JOIN users u ON u.id = e.user_id JOIN content c ON c.id = e.content_id "
        "WHERE u.email = ? AND c.kind IN ('webinar', 'webinarCourse', 'inPersonEvent', "
        "'inPersonEventCourse') AND c.course_start_date IS NOT NULL",
        email,
    )
    return {row["title"]: row for row in rows}


def parse_start(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def set_up_feed(client) -> str:
    """Set the feed up through the Account page's form; its URL (path and query)."""
    token = csrf_from(text(client.get("/account")))
    response = client.post("/calendar/feed", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account#calendar-feed")
    found = re.search(r'id="calendar-feed-url"[^>]*value="([^"]+)"', text(client.get("/account")))
    assert found, "the Account page shows no feed address"
    return "/" + found.group(1).split("//", 1)[1].split("/", 1)[1]


def test_an_event_ics_holds_the_event_in_utc(busy, sandbox):
    events = learner_events(sandbox)
    assert events, "the busy demo learner has events"
    title, row = next(iter(events.items()))
    response = busy.get(f"/calendar/events/{row['id']}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    start = event.decoded("DTSTART")
    assert start.utcoffset().total_seconds() == 0
    assert start == parse_start(row["course_start_date"]).replace(microsecond=0)
    assert b"DTSTART:" in response.data and re.search(rb"DTSTART:\d{8}T\d{6}Z", response.data)


@pytest.mark.parametrize(
    "forwarded",
    [
        {"X-Forwarded-Host": "portal.example:8443"},
        {"X-Forwarded-Host": "http://[::1"},
        {"X-Forwarded-Proto": "http://[::1"},
    ],
)
def test_an_event_ics_names_its_uid_after_the_host_even_a_broken_one(busy, sandbox, forwarded):
    # Forwarded by a trusted proxy (loopback here): headers that make no URL must not break it.
    row = next(iter(learner_events(sandbox).values()))
    response = busy.get(f"/calendar/events/{row['id']}.ics", headers=forwarded)
    assert response.status_code == 200
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]).startswith(f"event-{row['id']}@")
    if forwarded.get("X-Forwarded-Host") == "portal.example:8443":
        assert str(event["UID"]) == f"event-{row['id']}@portal.example"


def test_an_event_ics_of_something_that_is_no_event_is_404(busy, sandbox):
    course = sandbox.store.scalar("SELECT id FROM content WHERE kind = 'course' LIMIT 1")
    assert busy.get(f"/calendar/events/{course}.ics").status_code == 404
    assert busy.get("/calendar/events/nope.ics").status_code == 404


def test_an_event_ics_needs_a_session(client, sandbox):
    row = next(iter(learner_events(sandbox).values()))
    response = client.get(f"/calendar/events/{row['id']}.ics")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_the_feed_holds_the_learners_events_and_due_dates(busy, sandbox, app):
    path = set_up_feed(busy)
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    vevents = calendar.walk("VEVENT")
    summaries = {str(e["SUMMARY"]): e for e in vevents}
    events = learner_events(sandbox)
    assert events
    for title, row in events.items():
        assert title in summaries
        start = summaries[title].decoded("DTSTART")
        assert start.utcoffset().total_seconds() == 0
        assert start == parse_start(row["course_start_date"]).replace(microsecond=0)
    assert any(name.startswith("Due: ") for name in summaries)


def test_the_feed_sets_and_needs_no_session_cookie(busy, app):
    path = set_up_feed(busy)
    anonymous = app.test_client(use_cookies=False)
    response = anonymous.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert anonymous.get(path.replace(".ics", "x.ics")).status_code == 404
    assert "Set-Cookie" not in anonymous.get(path.replace(".ics", "x.ics")).headers


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_resetting_the_secret_retires_the_old_feed_address(busy, app, headers):
    old = set_up_feed(busy)
    token = csrf_from(text(busy.get("/account")))
    asked = busy.post("/calendar/feed/reset", data={"csrf_token": token}, headers=headers)
    assert asked.status_code == 200
    assert "Reset the address?" in text(asked)
    assert app.test_client().get(old).status_code == 200, "nothing changes before confirming"
    done = busy.post(
        "/calendar/feed/reset", data={"csrf_token": token, "confirm": "1"}, headers=headers
    )
    if headers:
        assert done.status_code == 200
        assert text(done).lstrip().startswith('<section id="calendar-feed"')
    else:
        assert done.status_code == 303
    new = re.search(r'id="calendar-feed-url"[^>]*value="([^"]+)"', text(busy.get("/account")))
    assert new and not new.group(1).endswith(old)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    new_path = "/" + new.group(1).split("//", 1)[1].split("/", 1)[1]
    assert anonymous.get(new_path).status_code == 200


def test_setting_up_the_feed_needs_the_csrf_token(busy):
    response = busy.post("/calendar/feed", data={})
    assert response.status_code == 400
    account = busy.get("/account")
    assert account.status_code == 200
    assert "Set up a calendar feed" in text(account)  # the section, still offering to set up
    assert 'id="calendar-feed-url"' not in text(account)


def test_the_feed_survives_a_restart_of_the_portal(busy, sandbox, portal_config):
    from portal import create_app

    path = set_up_feed(busy)
    again = create_app(portal_config(sandbox.url)).test_client()
    assert again.get(path).status_code == 200


def test_the_feed_follows_the_learner_after_they_sign_in_again(busy, app, login, sandbox):
    path = set_up_feed(busy)
    before = Calendar.from_ical(app.test_client().get(path).data)
    shown = {str(e["SUMMARY"]) for e in before.walk("VEVENT")}
    user = sandbox.store.scalar("SELECT id FROM users WHERE email = 'avery@example.com'")
    webinar = next(
        row
        for row in sandbox.store.query(
            "SELECT id, title FROM content WHERE kind = 'webinar' AND id NOT IN "
            "(SELECT content_id FROM enrollments WHERE user_id = ?)",
            user,
        )
        if row["title"] not in shown
    )
    with sandbox.store.transaction() as db:
        db.execute(
            "INSERT INTO enrollments (user_id, content_id, status, progress, source, "
            "enrolled_at) VALUES (?, ?, 'notStarted', 0, 'assigned', '2026-01-01T00:00:00Z')",
            (user, webinar["id"]),
        )
    login(app.test_client(), "busy")
    after = Calendar.from_ical(app.test_client().get(path).data)
    assert webinar["title"] in {str(e["SUMMARY"]) for e in after.walk("VEVENT")}


def test_event_times_follow_the_learners_time_zone(busy, sandbox):
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    title, row = next(iter(learner_events(sandbox).items()))
    start = parse_start(row["course_start_date"])
    token = csrf_from(text(busy.get("/account")))
    response = busy.post("/calendar/timezone", data={"csrf_token": token, "timezone": "Asia/Tokyo"})
    assert response.status_code == 303
    page = text(busy.get("/dashboard?tab=eventItems"))
    tokyo = format_datetime(start, "full", tzinfo=ZoneInfo("Asia/Tokyo"), locale="en_US")
    assert tokyo in page
    assert re.search(TOKYO_SELECTED, text(busy.get("/account")))


def test_an_unknown_time_zone_is_refused(busy):
    token = csrf_from(text(busy.get("/account")))
    busy.post("/calendar/timezone", data={"csrf_token": token, "timezone": "Asia/Tokyo"})
    response = busy.post(
        "/calendar/timezone", data={"csrf_token": token, "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert re.search(TOKYO_SELECTED, text(busy.get("/account")))  # the zone chosen before stays


def test_a_chosen_time_zone_does_not_read_the_time_zone_list_on_every_page(busy, monkeypatch):
    import zoneinfo

    from portal import i18n

    reads = []

    def counted():
        reads.append(1)
        return zoneinfo.available_timezones()

    i18n.timezone_names.cache_clear()
    monkeypatch.setattr(i18n, "available_timezones", counted)
    token = csrf_from(text(busy.get("/account")))
    chosen = busy.post("/calendar/timezone", data={"csrf_token": token, "timezone": "Asia/Tokyo"})
    assert chosen.status_code == 303
    for _ in range(3):  # each page in the chosen zone (every zone is an option of the form)
        assert re.search(TOKYO_SELECTED, text(busy.get("/account")))
    assert len(reads) == 1  # a directory tree read once, not once a page (4-20 ms each)
