"""Paths served without a session: public pages no one signs in to see, which must neither
read nor write one (no `Set-Cookie`, no `Vary: Cookie`), whoever opens them."""

from __future__ import annotations

from flask import Flask

_EXTENSION = "sessionless_paths"


def serve_without_session(app: Flask, *prefixes: str) -> None:
    """Requests whose path starts with one of prefixes get Flask's null session: an empty,
    read-only session that Flask never saves, so no cookie is set or renewed there and the
    answer is the same with a learner's cookie or without."""
    found = app.extensions.setdefault(_EXTENSION, [])
    found.extend(prefix for prefix in prefixes if prefix not in found)
    interface = app.session_interface
    if getattr(interface, "serves_without_session", False):
        return
    opened = interface.open_session

    def open_session(app, request):
        if request.path.startswith(tuple(app.extensions[_EXTENSION])):
            return interface.make_null_session(app)
        return opened(app, request)

    # On the instance, so that the session store's own class (its checks elsewhere) stays.
    interface.open_session = open_session
    interface.serves_without_session = True
