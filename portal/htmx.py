"""One view, page or fragment: picks what an htmx request should get back."""

from __future__ import annotations

from flask import make_response, render_template, request


def wants_fragment() -> bool:
    """True for a plain htmx request; boosted links and history restores need the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page_template: str, fragment_template: str, status: int = 200, **context):
    """The page, or the fragment for htmx; always `Vary: HX-Request` so caches keep both."""
    template = fragment_template if wants_fragment() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
