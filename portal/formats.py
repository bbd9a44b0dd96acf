"""API values as learners read them: dates, credits and names, in the learner's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel import dates
from flask_babel import format_date, format_decimal, format_time, get_locale, to_user_timezone


def parse_date(value) -> datetime | None:
    """A TI `Date` (ISO 8601 date or date-time, `Z` allowed) as an aware datetime (UTC when
    it names no zone); None for nothing or garbage."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_date(value, style: str = "medium") -> str | None:
    """A date from the API written the learner's way (Flask-Babel, their locale)."""
    moment = parse_date(value)
    return format_date(moment, style) if moment else None


def local_time(value) -> str | None:
    """A date and time from the API written the learner's way, in their time zone, without
    seconds: "Sat, May 4, 2030, 9:00 AM", "sam. 4 mai 2030, 09:00"."""
    moment = parse_date(value)
    if moment is None:
        return None
    locale = get_locale()
    day = dates.format_skeleton("yMMMEd", to_user_timezone(moment), locale=locale)
    pattern = str(locale.datetime_formats["medium"]).replace("'", "")  # "{1}, {0}"
    return pattern.replace("{1}", day).replace("{0}", format_time(moment, "short"))


def stars(rating) -> str | None:
    """TI's rating (a percent: five stars are 100) as stars out of five, "4.6"."""
    if not isinstance(rating, int | float) or isinstance(rating, bool) or rating <= 0:
        return None
    return format_decimal(round(min(rating, 100) / 20, 1), format="0.0")


def credits(balance) -> str:
    """The credit balance in the learner's number format (0 when the API has none)."""
    return format_decimal(balance if isinstance(balance, int | float) else 0)


def learner_name(user: dict | None) -> str:
    """How a learner is named: their name, else first and last name, else their email."""
    user = user or {}
    full = " ".join(part for part in (user.get("firstName"), user.get("lastName")) if part)
    return user.get("name") or full or user.get("email") or ""
