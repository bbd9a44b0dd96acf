"""Where a bookmark action returns the learner: the page they came from, on this site only."""

from __future__ import annotations

from flask import request, url_for

from portal.urls import local_path, path_of


def return_path() -> str:
    """The page the learner is on: for htmx the page's URL, not the fragment's."""
    current = request.headers.get("HX-Current-URL") if getattr(request, "htmx", False) else None
    if current:
        found = local_path(path_of(current, request.host) or "")
        if found:
            return found
    return local_path(request.full_path.rstrip("?")) or url_for("bookmarks.index")


def next_url(form) -> str:
    return local_path(form.get("next")) or url_for("bookmarks.index")
