"""Language of each request, and labels the instance defines (CompanyTranslations) over ours."""

from __future__ import annotations

import functools
from zoneinfo import available_timezones

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale, gettext
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup


class RequestDomain(Domain):
    """Flask-Babel's message domain, finding this request's translations once.

    Flask-Babel finds them again for every string shown (request context, locale, the locale's
    name as a catalog key): most of the cost of a gettext, and a page shows a hundred strings.
    A locale changed during the request (flask_babel.refresh) is noticed: it is a new object.
    """

    def get_translations(self):
        state = g.get("_flask_babel") if has_app_context() else None
        locale = getattr(state, "babel_locale", None)
        found = getattr(state, "portal_translations", None)
        if found is not None and locale is not None and found[0] is locale:
            return found[1]
        translations = super().get_translations()
        state = g.get("_flask_babel") if has_app_context() else None
        locale = getattr(state, "babel_locale", None)
        if locale is not None:
            state.portal_translations = (locale, translations)
        return translations


def use_request_domain(babel: Babel, app: Flask) -> None:
    """Make RequestDomain the domain of babel (after babel.init_app(app))."""
    domain = RequestDomain(domain=babel.domain)
    # Flask-Babel keeps its domain in a cached property: setting it here replaces it.
    vars(babel)["domain_instance"] = domain
    # Templates ask the domain directly (Flask-Babel's callables find it again each time).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    # The same strings as Jinja's newstyle callables give, in one call instead of three: a
    # template's `_()` went through `_`, then `gettext`, then the function above, each by
    # Jinja's Context.call (7 microseconds a string, a hundred strings a dashboard).
    @pass_eval_context
    def template_gettext(eval_ctx, string: str, /, **variables):
        text = domain.get_translations().ugettext(string)
        if eval_ctx.autoescape:
            text = Markup(text)
        return text % variables  # always: "%%" reads "%" with or without variables

    @pass_eval_context
    def template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables):
        variables.setdefault("num", num)
        text = domain.get_translations().ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["SUPPORTED_LOCALES"])


def primary(code) -> str | None:
    """`fr` for `fr-CA` or `fr_CA`; None for nothing usable."""
    if not isinstance(code, str) or not code.strip():
        return None
    return code.strip().replace("_", "-").split("-")[0].lower()


def select_locale() -> str | None:
    """The learner's choice in this session, then their profile's language, then their client's
    default, then the browser's; a signed-in learner only ever gets their client's languages."""
    if not has_request_context():
        return None
    supported = supported_locales()
    client_default = None
    if current_user and current_user.is_authenticated:
        from portal import learner_context as learner

        offered = learner.client_languages()
        if offered and any(code in supported for code in offered):
            supported = tuple(code for code in supported if code in offered)
        client_default = learner.default_language()
    chosen = primary(session.get("lang"))
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated:
        profile = primary(getattr(current_user, "lang", None))
        if profile in supported:
            return profile
        if client_default in supported:
            return client_default
    return request.accept_languages.best_match(supported) or supported[0]


def current_locale() -> str:
    """The language of this request (`fr`), worked out once per request."""
    found = g.get("_current_locale") if has_request_context() else None
    if found is not None:
        return found
    locale = get_locale()
    found = locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]
    if has_request_context():
        g._current_locale = found
    return found


def _instance_translations() -> list:
    # Imported late: the api package must not be needed to import this module.
    from portal.branding import instance

    return instance().get("CompanyTranslations") or []


def label(key: str, default: str) -> str:
    """The instance's own text for `key` in the learner's language when it has one, else ours."""
    text = _instance_labels().get(key)
    return text if text else gettext(default)


def instance_labels_version() -> str:
    """Changes when the instance's data (its labels among them) changes; "" when it is not
    available (labels are ours then)."""
    from portal.api.cache import instance_version
    from portal.api.errors import ApiError

    try:
        return instance_version()
    except ApiError:
        return ""


def _instance_labels() -> dict[str, str]:
    """The instance's labels in the learner's language, gathered once per request (a page
    asks for a dozen)."""
    locale = current_locale()
    found = g.get("_instance_labels") if has_request_context() else None
    if found is not None and found[0] == locale:
        return found[1]
    labels: dict[str, str] = {}
    for entry in _instance_translations():
        if not isinstance(entry, dict) or primary(entry.get("lang")) != locale:
            continue
        for name, text in (entry.get("translations") or {}).items():
            if isinstance(text, str) and text.strip():
                labels.setdefault(name, text)
    if has_request_context():
        g._instance_labels = (locale, labels)
    return labels


TIMEZONE_KEY = "tz"


def known_timezone(name) -> str | None:
    """An IANA time zone name (`Europe/Paris`), or None for anything else."""
    return name if isinstance(name, str) and name in timezone_names() else None


@functools.cache
def timezone_names() -> frozenset[str]:
    """The time zones this host knows: read once (it reads a directory tree: 4-20 ms)."""
    return frozenset(available_timezones())


def select_timezone() -> str | None:
    """The time zone the learner chose for this session (Account page), else the default."""
    if not has_request_context():
        return None
    return known_timezone(session.get(TIMEZONE_KEY))
