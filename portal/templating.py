"""The portal's Jinja environment: Flask's, with each template's globals kept flat and a
plain dict's keys read first."""

from __future__ import annotations

from typing import Any

from flask.templating import Environment

# A plain dict's own attributes: `card.items` is still the method, as in Jinja.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PortalEnvironment(Environment):
    """Flask's environment, with a template's globals a plain dict instead of a ChainMap over
    the environment's. Jinja makes a set of a template's globals for every render, include
    and import, and walking a ChainMap of sixty names for it, several times a page, cost more
    than the rest of an include. Every global is set in create_app, before any template loads;
    one added later reaches templates loaded after it."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`card.title` for a dict: Jinja tries the attribute first and reads the key once
        that has failed, and the failure (an exception) was most of the cost of the thousand
        such reads a dashboard makes. A name that is not an attribute of dict can only be
        the key, so it is read at once: the same answer, found sooner."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)
