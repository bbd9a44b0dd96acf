"""The portal's Jinja environment: Flask's, with each template's globals kept flat."""

from __future__ import annotations

from flask.templating import Environment


class PortalEnvironment(Environment):
    """Flask's environment, with a template's globals a plain dict instead of a ChainMap over
    the environment's. Jinja makes a set of a template's globals for every render, include
    and import, and walking a ChainMap of sixty names for it, several times a page, cost more
    than the rest of an include. Every global is set in create_app, before any template loads;
    one added later reaches templates loaded after it."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}
