"""Where the header links go: the learner areas in menu order, and the learner's home."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import lazy_gettext as _l

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
