"""Language of each request, and labels the instance defines (CompanyTranslations) over ours."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, gettext
from flask_login import current_user


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["SUPPORTED_LOCALES"])


def primary(code) -> str | None:
    """`fr` for `fr-CA` or `fr_CA`; None for nothing usable."""
    if not isinstance(code, str) or not code.strip():
        return None
    return code.strip().replace("_", "-").split("-")[0].lower()


def select_locale() -> str | None:
    """The learner's choice in this session, then their profile's language, then the browser's."""
    if not has_request_context():
        return None
    supported = supported_locales()
    chosen = primary(session.get("lang"))
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated:
        profile = primary(getattr(current_user, "lang", None))
        if profile in supported:
            return profile
    return request.accept_languages.best_match(supported)


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def _instance_translations() -> list:
    # Imported late: the api package must not be needed to import this module.
    from portal.branding import instance

    return instance().get("CompanyTranslations") or []


def label(key: str, default: str) -> str:
    """The instance's own text for `key` in the learner's language when it has one, else ours."""
    locale = current_locale()
    for entry in _instance_translations():
        if not isinstance(entry, dict) or primary(entry.get("lang")) != locale:
            continue
        text = (entry.get("translations") or {}).get(key)
        if isinstance(text, str) and text.strip():
            return text
    return gettext(default)


TIMEZONE_KEY = "tz"


def known_timezone(name) -> str | None:
    """An IANA time zone name (`Europe/Paris`), or None for anything else."""
    from zoneinfo import available_timezones

    return name if isinstance(name, str) and name in available_timezones() else None


def select_timezone() -> str | None:
    """The time zone the learner chose for this session (Account page), else the default."""
    if not has_request_context():
        return None
    return known_timezone(session.get(TIMEZONE_KEY))
