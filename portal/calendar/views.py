"""Calendar views: an event's .ics, the learner's feed, and setting up or resetting the feed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import api, events, feeds, i18n
from portal.calendar.forms import FeedForm, TimezoneForm
from portal.htmx import render, see_other, wants_fragment

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
ICS = "text/calendar; charset=utf-8"


def ics_response(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def calendar_items() -> dict:
    """The learner's calendar items; the feed's snapshot is refreshed on the way."""
    data = api.run("CalendarItems")
    feeds.keep(current_user.id, events.feed_calendar(data))
    return data


@bp.get("/events/<content_id>.ics")
@login_required
def event_file(content_id: str):
    found = [e for e in events.events(calendar_items()) if e["id"] == content_id]
    if not found:
        abort(404)
    return ics_response(events.calendar(found), f"event-{content_id[:40]}.ics")


@bp.get("/feed/<secret>.ics")
def feed(secret: str):
    """The learner's calendar for calendar apps: no session needed, none started."""
    body = feeds.feed(secret)
    if body is None:
        return Response(_("This calendar feed does not exist.") + "\n", 404, mimetype="text/plain")
    response = ics_response(body)
    response.headers["Cache-Control"] = "private, max-age=900"
    return response


def _posted(form):
    """The form of a button the page drew: anything else sent here is a bad request."""
    if not form.validate_on_submit():
        abort(400)
    return form


def _new_feed() -> None:
    """A new secret address for the learner's feed, with their calendar as it is now."""
    feeds.new_secret(current_user.id, events.feed_calendar(api.run("CalendarItems")))


@bp.post("/feed")
@login_required
def set_up_feed():
    """The learner's first feed address; asking again keeps the one they have."""
    _posted(FeedForm())
    if feeds.secret_of(current_user.id) is None:
        _new_feed()
    return _done(_("Your calendar feed is ready: add its address to your calendar app."))


@bp.post("/feed/reset")
@login_required
def reset_feed():
    """A new address for the feed, after a confirmation: calendars subscribed to the old one
    stop getting updates."""
    form = _posted(FeedForm())
    if form.cancel.data:
        # Not reset: back to the feed, the focus on the Reset button that asked.
        if not wants_fragment():
            return see_other(url_for("account.index", _anchor="calendar-feed"))
        return render(
            "calendar/reset.html", "calendar/_feed.html", feed=feed_settings(), cancelled=True
        )
    if form.confirm.data != "1":
        return render(
            "calendar/reset.html", "calendar/_feed.html", feed=feed_settings(), confirming=True
        )
    _new_feed()
    return _done(_("Your calendar feed has a new address; the old one no longer works."))


@bp.post("/timezone")
@login_required
def set_timezone():
    """Dates and times on every page in the learner's time zone (kept for this session)."""
    form = _posted(TimezoneForm())
    session[i18n.TIMEZONE_KEY] = i18n.known_timezone(form.timezone.data) or None
    flash(_("Dates and times are now shown in %(zone)s.", zone=form.timezone.data), "success")
    return see_other(url_for("account.index", _anchor="calendar-feed"))


def _done(message: str):
    if not wants_fragment():
        flash(message, "success")
        return see_other(url_for("account.index", _anchor="calendar-feed"))
    return render(
        "calendar/reset.html", "calendar/_feed.html", feed=feed_settings(), message=message
    )


def feed_settings() -> dict:
    """What the Account page shows of the learner's feed (no upstream request)."""
    secret = feeds.secret_of(current_user.id) if current_user.is_authenticated else None
    url = url_for("calendar.feed", secret=secret, _external=True) if secret else None
    zone = session.get(i18n.TIMEZONE_KEY) if current_user.is_authenticated else None
    return {"url": url, "timezone_form": TimezoneForm(formdata=None, timezone=zone or "UTC")}


@bp.app_context_processor
def _calendar_globals() -> dict:
    return {"calendar_feed": feed_settings}
