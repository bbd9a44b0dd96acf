"""Where the header links go: the learner areas whose blueprints are installed."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

# Learner areas in menu order: (blueprint, label). An area appears once its package
# `portal/<area>/views.py` exists and defines `bp` with an `index` view.
AREAS = (
    ("dashboard", _l("Dashboard")),
    ("certificates", _l("Certificates")),
    ("badges", _l("Badges")),
    ("catalog", _l("Catalog")),
    ("account", _l("Account")),
)


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def home_url() -> str:
    """The learner's landing page: the dashboard once it exists, the home shell until then."""
    if has_endpoint("dashboard.index"):
        return url_for("dashboard.index")
    return url_for("site.home")


def nav_items() -> list[dict]:
    """Header links for the installed areas; `current` marks the one being shown."""
    items = []
    for area, text in AREAS:
        endpoint = f"{area}.index"
        if has_endpoint(endpoint):
            current = request.blueprint == area if request else False
            items.append({"url": url_for(endpoint), "label": text, "current": current})
    return items
