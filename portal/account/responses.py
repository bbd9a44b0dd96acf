"""Answers after a successful POST: 303 to a page, or a full navigation for htmx."""

from __future__ import annotations

from flask import make_response, redirect, request


def see_other(url: str):
    """303 to url; for htmx an HX-Redirect, so the next page (and its flash) loads whole."""
    if getattr(request, "htmx", False):
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        response.vary.add("HX-Request")
        return response
    response = redirect(url, 303)
    response.vary.add("HX-Request")
    return response
