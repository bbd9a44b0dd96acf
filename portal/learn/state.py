"""Content page requests: which kind and key a path names, and which ids a progress request asks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.cards import KINDS_BY_SEGMENT, MAX_PROGRESS_IDS

# Ids and slugs as TI makes them; anything else names no content (and never reaches the API).
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class PageRequest:
    kind: str  # a ContentKind, e.g. course or learningPath
    key: str  # the slug of a learning path, the id of anything else

    @property
    def is_path(self) -> bool:
        return self.kind == "learningPath"


def parse_page(segment: str, key: str) -> PageRequest | None:
    """The content a `/learn/<kind>/<key>` path names, or None (then the page is a 404)."""
    kind = KINDS_BY_SEGMENT.get(segment)
    if kind is None or not _KEY.match(key or ""):
        return None
    return PageRequest(kind, key)


def parse_progress_ids(args) -> list[str]:
    """The course ids a progress request asks for: well-formed ones, each once, a page's worth."""
    found: dict[str, None] = {}
    for value in args.getlist("id"):
        if _KEY.match(value or ""):
            found.setdefault(value)
    return list(found)[:MAX_PROGRESS_IDS]
