"""Where the header links go: the learner areas in menu order, and the learner's home."""

from __future__ import annotations

from flask import g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# Learner areas in menu order: (blueprint, label); each blueprint has an `index` view.
AREAS = (
    ("dashboard", _l("Dashboard")),
    ("certificates", _l("Certificates")),
    ("badges", _l("Badges")),
    ("catalog", _l("Catalog")),
    ("account", _l("Account")),
)


def home_url() -> str:
    """The learner's landing page."""
    return url_for("dashboard.index")


def nav_items() -> list[dict]:
    """Header links of the learner areas; `current` marks the one being shown."""
    current = request.blueprint if request else None
    return [
        {"url": url_for(f"{area}.index"), "label": text, "current": area == current}
        for area, text in AREAS
    ]


def header_parts() -> tuple:
    """All the page's head, header and footer show besides the page's address and language
    (fragments.py adds those): who is signed in, their client's look and languages (as of
    when their context was read: it is kept whole until read again), the instance's data."""
    from portal import learner_context
    from portal.i18n import instance_labels_version

    found = g.get("_header_parts")
    if found is None:
        user = current_user
        signed_in = bool(user) and user.is_authenticated
        found = g._header_parts = (
            (user.get_id(), user.name, user.email) if signed_in else None,
            learner_context.context().get("at"),
            instance_labels_version(),
            request.method,
        )
    return found
