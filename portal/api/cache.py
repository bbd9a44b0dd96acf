"""Instance data (branding, languages, translations, terms) cached per TI instance."""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from flask import current_app
from flask_caching import Cache

from .client import run_anonymous
from .errors import RateLimited, Unavailable

log = logging.getLogger(__name__)

# Bound to the app in create_app: cache.init_app(app, config=cache_config(REDIS_URL)).
cache = Cache()

DEFAULT_INSTANCE_SECONDS = 300
# Each worker also keeps the data in its own memory this long (INSTANCE_WORKER_SECONDS): every
# page reads it (branding, labels, languages), and reading it from the shared cache meant a
# Redis round trip and an unpickling per page. Read-only: callers never change it.
DEFAULT_WORKER_SECONDS = 15
_held_lock = threading.Lock()
# The last instance data, kept a day, for when the instance cannot be asked.
LAST = ":last"
LAST_SECONDS = 24 * 3600


def cache_config(redis_url: str | None) -> dict:
    """Flask-Caching settings: Redis (shared by every portal process) when REDIS_URL is set."""
    if redis_url:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "portal:",
            "CACHE_DEFAULT_TIMEOUT": DEFAULT_INSTANCE_SECONDS,
        }
    return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": DEFAULT_INSTANCE_SECONDS}


def instance_key() -> str:
    """The cache key of this app's instance: the same TI_BASE_URL is the same instance."""
    base_url = (current_app.config.get("TI_BASE_URL") or "").rstrip("/")
    return "instance-data:" + hashlib.sha256(base_url.encode()).hexdigest()[:32]


def instance_data() -> dict:
    """The InstanceData document's data (CompanyDetails, Languages, CompanyTranslations,
    TermsAndConditions), fetched at most once per INSTANCE_CACHE_SECONDS per instance.

    Raises the ApiError kinds of `run`; failures are not cached, so the next page tries again.
    """
    return _held_entry()[1]


def instance_version() -> str:
    """A digest of the instance data this worker holds: what is made from it (tab labels,
    say) can be kept under it, and is made again when the data changes."""
    return _held_entry()[2]


def _held_entry() -> tuple[float, dict, str]:
    """(until when, data, version) of this worker's copy, fetched again once it has run out."""
    key = instance_key()
    seconds = int(current_app.config.get("INSTANCE_CACHE_SECONDS", DEFAULT_INSTANCE_SECONDS))
    held = _held().get(key)
    if held is not None and held[0] > time.monotonic():
        return held
    found = _shared(key, seconds)
    worker_seconds = current_app.config.get("INSTANCE_WORKER_SECONDS", DEFAULT_WORKER_SECONDS)
    version = hashlib.blake2b(repr(found).encode(), digest_size=12).hexdigest()
    held = (time.monotonic() + min(float(worker_seconds), seconds), found, version)
    with _held_lock:
        _held()[key] = held
    return held


def _held() -> dict[str, tuple[float, dict, str]]:
    """This worker's copies (per app: tests run several apps in one process)."""
    return current_app.extensions.setdefault("portal_instance_data", {})


def _shared(key: str, seconds: int) -> dict:
    """The data from the shared cache, else from the instance (and then kept there)."""
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down only costs a round trip
        log.warning("cache unavailable, fetching instance data upstream", exc_info=True)
        found = None
    if found is not None:
        return found
    try:
        data = run_anonymous("InstanceData")
    except (RateLimited, Unavailable):
        # The instance busy or down (the API budget spent, say): the last data it gave, if
        # any, rather than no page at all.
        last = _cached(key + LAST)
        if last is None:
            raise
        return last
    try:
        cache.set(key, data, timeout=seconds)
        cache.set(key + LAST, data, timeout=LAST_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable, instance data not kept", exc_info=True)
    return data


def _cached(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001
        return None


def forget_instance_data() -> None:
    """Drop this instance's cached data (after its settings changed); other workers keep
    their own copy at most INSTANCE_WORKER_SECONDS more."""
    with _held_lock:
        _held().pop(instance_key(), None)
    cache.delete(instance_key())
