"""The learner's events and due dates, as pages show them and as iCalendar data (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import request
from flask_babel import format_datetime, gettext

from portal.formats import parse_date
from portal.fragments import changes_at
from portal.urls import instance_url, split_url

EVENT_KINDS = ("webinar", "webinarCourse", "inPersonEvent", "inPersonEventCourse")
DEFAULT_LENGTH = timedelta(hours=1)


def utc(value) -> datetime | None:
    """A TI date as an aware datetime in UTC: what .ics files carry."""
    moment = parse_date(value)
    return moment.astimezone(UTC) if moment else None


def _times(raw: dict) -> tuple[datetime, datetime] | None:
    """When an event starts and ends (an hour when it names no end); None for other items."""
    starts = utc(raw.get("courseStartDate"))
    if raw.get("kind") not in EVENT_KINDS or starts is None:
        return None
    ends = utc(raw.get("courseEndDate"))
    if ends is None or ends <= starts:
        ends = starts + DEFAULT_LENGTH
    return starts, ends


def _details(raw: dict) -> dict:
    return {
        "title": raw.get("title") or raw.get("slug") or gettext("Untitled"),
        "kind": raw.get("kind"),
        "description": raw.get("description"),
        "url": instance_url(raw.get("url")),
        "waitlist_count": raw.get("waitlistCount"),
        "seats": raw.get("seatsLimit"),
    }


def events(data: dict, now: datetime | None = None) -> list[dict]:
    """The learner's events, upcoming first (soonest first), then past ones (latest first)."""
    found = []
    for event in timed(data, now):
        raw = event.pop("raw")
        found.append(
            {**event, **_details(raw), "when": format_datetime(event["starts"], "medium")}
        )
    return found


def timed(data: dict, now: datetime | None = None) -> list[dict]:
    """The events in `events`' order with only when they take place (`id`, `starts`, `ends`,
    `past`, `waitlisted`, and the `raw` answer): what orders a list of a thousand items, of
    which a page shows twelve."""
    now = now or datetime.now(UTC)
    found: dict[str, dict] = {}
    for key, waitlisted in (("UserContentItems", False), ("UserWaitlist", True)):
        for raw in data.get(key) or []:
            times = _times(raw) if isinstance(raw, dict) else None
            if times and raw.get("id") not in found:
                found[raw.get("id")] = {
                    "id": raw.get("id"),
                    "starts": times[0],
                    "ends": times[1],
                    "waitlisted": waitlisted,
                    "raw": raw,
                }
    upcoming = sorted((e for e in found.values() if e["ends"] >= now), key=lambda e: e["starts"])
    past = sorted(
        (e for e in found.values() if e["ends"] < now), key=lambda e: e["starts"], reverse=True
    )
    if upcoming:
        changes_at(min(event["ends"] for event in upcoming))
    for event in upcoming + past:
        event["past"] = event["ends"] < now
    return upcoming + past


def due_dates(data: dict) -> list[dict]:
    """Items with a due date the learner has not completed yet."""
    found = []
    for raw in data.get("UserContentItems") or []:
        if not isinstance(raw, dict) or raw.get("availabilityStatus") == "completed":
            continue
        due = utc(raw.get("currentUserDueDate"))
        if due is not None:
            found.append(
                {
                    "id": raw.get("id"),
                    "title": raw.get("title") or raw.get("slug") or gettext("Untitled"),
                    "url": instance_url(raw.get("url")),
                    "due": due,
                }
            )
    return sorted(found, key=lambda item: item["due"])


def _uid(prefix: str, content_id) -> str:
    # request.host as sent (by a trusted proxy, say): read without request.host_url, which
    # raises on a host that is no URL (`[::1`).
    parts = split_url(f"//{request.host}")
    host = (parts.hostname if parts else None) or "portal"
    return f"{prefix}-{content_id}@{host}"


def _vevent(event: dict, stamp: datetime):
    from icalendar import Event

    vevent = Event()
    vevent.add("uid", _uid("event", event["id"]))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event["starts"])
    vevent.add("dtend", event["ends"])
    vevent.add("summary", event["title"])
    notes = [event["description"] or ""]
    if event["waitlisted"]:
        vevent.add("status", "TENTATIVE")
        notes.insert(0, gettext("You are on the waitlist for this event."))
    else:
        vevent.add("status", "CONFIRMED")
    if event["url"]:
        vevent.add("url", event["url"])
        notes.append(event["url"])
    vevent.add("description", "\n\n".join(note for note in notes if note))
    return vevent


def _due_vevent(item: dict, stamp: datetime):
    from icalendar import Event

    vevent = Event()
    vevent.add("uid", _uid("due", item["id"]))
    vevent.add("dtstamp", stamp)
    day = item["due"].date()
    vevent.add("dtstart", day)
    vevent.add("dtend", day + timedelta(days=1))
    vevent.add("summary", gettext("Due: %(title)s", title=item["title"]))
    vevent.add("transp", "TRANSPARENT")
    if item["url"]:
        vevent.add("url", item["url"])
        vevent.add("description", item["url"])
    return vevent


def calendar(
    event_list: list[dict], due_list: list[dict] = (), *, name: str | None = None
) -> bytes:
    """An iCalendar file: times in UTC, due dates as all-day entries."""
    # Imported here: pages that list events never need it, and it costs a worker ~4 MB.
    from icalendar import Calendar

    stamp = datetime.now(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//Learner portal//Calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    for event in event_list:
        cal.add_component(_vevent(event, stamp))
    for item in due_list:
        cal.add_component(_due_vevent(item, stamp))
    return cal.to_ical()


def feed_calendar(data: dict) -> bytes:
    return calendar(events(data), due_dates(data), name=gettext("My learning"))
