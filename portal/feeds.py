"""Feed secrets and feed snapshots, kept where every portal process finds them.

The portal has no database, and a calendar app fetching the feed brings no learner token: the
feed is a snapshot of the learner's calendar, stored under a hash of its secret and refreshed
whenever the portal fetches the learner's calendar items (sign in, setting up or resetting the
feed, downloading an event). Storage is Redis when REDIS_URL is set (shared by every process),
else files under CALENDAR_FEED_DIR (PORTAL_VAR_DIR/calendar-feeds), which survive restarts.
Nothing here expires: a subscription keeps working until the learner resets its secret.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app

from portal.api.cache import instance_key

_EXTENSION = "calendar_feeds"


def _backend():
    backend = current_app.extensions.get(_EXTENSION)
    if backend is None:
        redis_url = current_app.config.get("REDIS_URL")
        if redis_url:
            from cachelib import RedisCache
            from redis import Redis

            backend = RedisCache(
                Redis.from_url(redis_url), key_prefix="portal:calendar:", default_timeout=0
            )
        else:
            from cachelib import FileSystemCache

            directory = current_app.config.get("CALENDAR_FEED_DIR")
            if not directory:
                from portal.config import var_dir

                directory = str(var_dir() / "calendar-feeds")
            backend = FileSystemCache(directory, threshold=0, default_timeout=0)
        current_app.extensions[_EXTENSION] = backend
    return backend


def _learner_key(learner_id: str) -> str:
    # One instance's learner ids say nothing about another's sharing the same Redis.
    return f"learner:{instance_key()}:{learner_id}"


def _feed_key(secret: str) -> str:
    return "feed:" + hashlib.sha256(secret.encode()).hexdigest()


def secret_of(learner_id: str) -> str | None:
    """The learner's current feed secret, None before they set up a feed."""
    return _backend().get(_learner_key(learner_id))


def new_secret(learner_id: str, calendar: bytes) -> str:
    """A fresh secret for the learner's feed; the old one (if any) answers nothing any more."""
    backend = _backend()
    old = secret_of(learner_id)
    if old:
        backend.delete(_feed_key(old))
    secret = secrets.token_urlsafe(32)
    backend.set(_learner_key(learner_id), secret)
    backend.set(_feed_key(secret), {"learner": learner_id, "ics": calendar})
    return secret


def keep(learner_id: str, calendar: bytes) -> None:
    """Replace the snapshot behind the learner's feed, when they have one."""
    secret = secret_of(learner_id)
    if secret:
        _backend().set(_feed_key(secret), {"learner": learner_id, "ics": calendar})


def feed(secret: str) -> bytes | None:
    """The calendar behind a feed secret; None for an unknown or reset one."""
    if not secret or len(secret) > 100:
        return None
    found = _backend().get(_feed_key(secret))
    return found.get("ics") if isinstance(found, dict) else None
