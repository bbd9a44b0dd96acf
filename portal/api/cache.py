"""Instance data (branding, languages, translations, terms) cached per TI instance."""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from flask_caching import Cache

from .client import run_anonymous

log = logging.getLogger(__name__)

# Bound to the app in create_app: cache.init_app(app, config=cache_config(REDIS_URL)).
cache = Cache()

DEFAULT_INSTANCE_SECONDS = 300


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
    key = instance_key()
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down only costs a round trip
        log.warning("cache unavailable, fetching instance data upstream", exc_info=True)
        found = None
    if found is not None:
        return found
    data = run_anonymous("InstanceData")
    seconds = int(current_app.config.get("INSTANCE_CACHE_SECONDS", DEFAULT_INSTANCE_SECONDS))
    try:
        cache.set(key, data, timeout=seconds)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable, instance data not kept", exc_info=True)
    return data


def forget_instance_data() -> None:
    """Drop this instance's cached data (after its settings changed)."""
    cache.delete(instance_key())
