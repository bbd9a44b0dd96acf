"""API values as learners read them: dates, credits and names, in the learner's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import dates, numbers
from flask_babel import (
    format_date,
    format_time,
    get_locale,
    get_timezone,
    to_user_timezone,
)


def parse_date(value) -> datetime | None:
    """A TI `Date` (ISO 8601 date or date-time, `Z` allowed) as an aware datetime (UTC when
    it names no zone); None for nothing or garbage."""
    if not value or not isinstance(value, str):
        return None
    return _parsed(value)


@lru_cache(maxsize=4096)
def _parsed(value: str) -> datetime | None:
    # A page reads the same dates again (cards, due dates, certificates); datetimes are
    # immutable, so one read of each is shared.
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
    if not value or not isinstance(value, str):
        return None
    return _date_text(value, style, str(get_locale()), str(get_timezone()))


@lru_cache(maxsize=4096)
def _date_text(value: str, style: str, locale: str, zone: str) -> str | None:
    """A page shows the same few dozen dates in the same language and time zone again and
    again: Babel's formatting of each was a tenth of a millisecond."""
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
    return _stars_text(round(min(rating, 100) / 20, 1), str(get_locale()))


@lru_cache(maxsize=512)
def _stars_text(stars: float, locale: str) -> str:
    return numbers.format_decimal(stars, format="0.0", locale=locale)


def number(value) -> str:
    """A count or amount in the learner's number format ("1,234", "1 234"); 0 for nothing.
    Babel's formatting took a tenth of a millisecond a number (its decimal rounding), for the
    same few counts on every page."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        value = 0
    return _number_text(value, str(get_locale()))


@lru_cache(maxsize=1024)
def _number_text(value: int | float, locale: str) -> str:
    return numbers.format_decimal(value, locale=locale)


def credits(balance) -> str:
    """The credit balance in the learner's number format (0 when the API has none)."""
    return number(balance)


def learner_name(user: dict | None) -> str:
    """How a learner is named: their name, else first and last name, else their email."""
    user = user or {}
    full = " ".join(part for part in (user.get("firstName"), user.get("lastName")) if part)
    return user.get("name") or full or user.get("email") or ""
