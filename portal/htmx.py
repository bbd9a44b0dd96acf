"""htmx responses: one view serves page or fragment, and redirects that htmx follows whole."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request
from markupsafe import Markup

from portal.fragments import Sent


def wants_fragment() -> bool:
    """True for a plain htmx request; boosted links and history restores need the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def autofocus(when: bool = True) -> Markup:
    """` autofocus` for the element the learner acts on next after an htmx swap: htmx focuses
    it once the swapped part settles. Nothing in a whole page, whose focus starts at its top
    (the skip link, then the flashed message)."""
    return Markup(" autofocus") if when and wants_fragment() else Markup("")


def render(page_template: str, fragment_template: str, status: int = 200, **context):
    """The page, or the fragment for htmx; always `Vary: HX-Request` so caches keep both."""
    template = fragment_template if wants_fragment() else page_template
    return respond(render_template(template, **context), status)


def respond(html: str | Sent, status: int = 200):
    """A response of HTML drawn already (kept or rendered, or a kept page as it was sent
    before), with `Vary: HX-Request`."""
    if isinstance(html, Sent):
        response = make_response(html.body, status)
        response.headers["Content-Encoding"] = html.encoding
        response.vary.add("Accept-Encoding")
    else:
        response = make_response(html, status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(url: str):
    """An empty answer telling htmx to load url as a whole page (HX-Redirect)."""
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    response.vary.add("HX-Request")
    return response


def see_other(url: str, status: int = 303):
    """After a POST: a redirect to url; for htmx an HX-Redirect, so the next page (and its
    flash) loads whole."""
    if getattr(request, "htmx", False):
        return hx_redirect(url)
    response = redirect(url, status)
    response.vary.add("HX-Request")
    return response
