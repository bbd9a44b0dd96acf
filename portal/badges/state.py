"""The badges page's view state: the leaderboard size read from the query string."""

from __future__ import annotations

from flask_babel import gettext as _

LIMITS = (5, 10, 25, 50)
DEFAULT_LIMIT = 10


def parse_limit(args) -> tuple[int, str | None]:
    """The leaderboard size from the query string; anything but a listed size gets the default."""
    raw = args.get("limit")
    if raw in (None, ""):
        return DEFAULT_LIMIT, None
    if raw.isdigit() and int(raw) in LIMITS:
        return int(raw), None
    return DEFAULT_LIMIT, _(
        "The leaderboard can show 5, 10, 25 or 50 learners; showing %(num)d.", num=DEFAULT_LIMIT
    )
