"""Where a bookmark action returns the learner: the page they came from, on this site only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import g, request, url_for

from portal.paging import page_number
from portal.urls import local_path, path_of


def return_path() -> str:
    """The page the learner is on: for htmx the page's URL, not the fragment's. Found once
    per request: every card's bookmark form asks."""
    found = g.get("_bookmark_return_path")
    if found is None:
        found = g._bookmark_return_path = _return_path()
    return found


def _return_path() -> str:
    current = request.headers.get("HX-Current-URL") if getattr(request, "htmx", False) else None
    if current:
        found = local_path(path_of(current, request.host) or "")
        if found:
            return found
    return local_path(request.full_path.rstrip("?")) or url_for("bookmarks.index")


def next_url(form) -> str:
    return local_path(form.get("next")) or url_for("bookmarks.index")


def page_asked() -> int:
    """The page of bookmarks asked for: the query string's, or after a form the page it was
    sent from (its `next`). Anything but a page number is the first page."""
    if request.method == "GET":
        value = request.args.get("page")
    else:
        value = parse_qs(urlsplit(str(request.form.get("next") or "")).query).get("page", [""])[0]
    return page_number(value, [])
