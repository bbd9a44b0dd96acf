"""URL checks: which links from the API may become links, and which `next` targets are local."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, urljoin, urlsplit

from flask import current_app, url_for
from flask_login import current_user

_SAFE_SCHEMES = {"http", "https"}
_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x1f\x7f\\]")


def _has_control_or_backslash(value: str) -> bool:
    # A regular expression: a page checks hundreds of URLs, and a loop over characters in
    # Python was 4% of a dashboard's server time.
    return _CONTROL_OR_BACKSLASH.search(value) is not None


def split_url(value) -> SplitResult | None:
    """`urlsplit(value)`, or None for what cannot be a URL (`http://[::1`: urlsplit raises):
    for URLs from outside (headers, forms), which must never end a request in an error."""
    try:
        return urlsplit(value or "")
    except (TypeError, ValueError):
        return None


def path_of(url, host: str | None = None) -> str | None:
    """The path and query of a URL from outside (`/dashboard?tab=x`); None when it is no URL,
    or (with `host`) when it names another host."""
    parts = split_url(url)
    if parts is None or (host is not None and parts.netloc and parts.netloc != host):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def safe_url(value) -> str | None:
    """The URL when it is http(s) or relative (never javascript:, data:, ...), else None.

    `//host/x` (and `///host/x`, which browsers read the same way) leads to another host: it
    comes back absolute, `https://host/x`, so that nothing takes it for a path.
    """
    if not isinstance(value, str):
        return None
    return _safe_url(value)


@lru_cache(maxsize=4096)
def _safe_url(value: str) -> str | None:
    # Cached: a page checks the same few hundred URLs of the instance on every load.
    url = value.strip()
    if not url or _has_control_or_backslash(url):
        return None
    if url.startswith("//"):
        url = "https://" + url.lstrip("/")
    parts = split_url(url)
    if parts is None:
        return None
    if parts.scheme:
        return url if parts.scheme.lower() in _SAFE_SCHEMES and parts.netloc else None
    return url


def instance_url(value) -> str | None:
    """An instance URL as learners can follow it: relative ones (`/learn/x`, as TI answers) made
    absolute against TI_PUBLIC_URL, absolute ones kept; None when safe_url refuses it."""
    if not isinstance(value, str):
        return None
    return _instance_url(value, current_app.config.get("TI_PUBLIC_URL"))


@lru_cache(maxsize=4096)
def _instance_url(value: str, base: str | None) -> str | None:
    url = _safe_url(value)
    if url is None or urlsplit(url).scheme:
        return url
    return urljoin(base + "/", url) if base else url


def instance_link(value) -> str | None:
    """instance_url for a link a learner follows. With single sign-on (TI_SSO_SECRET) and a
    learner signed in, a page of the instance goes through the portal's hand-over
    (`/sso/login?returnTo=/learn/x`), which signs them in there on the way."""
    url = instance_url(value)
    if url is None or not current_app.config.get("TI_SSO_SECRET"):
        return url
    if not current_user or not current_user.is_authenticated:
        return url
    path = instance_path(url)
    return url_for("auth.sso_login", returnTo=path) if path else url


def instance_path(value) -> str | None:
    """A page of the instance as its path and query (`/learn/x?y`), from a path or from an
    absolute URL under TI_PUBLIC_URL; None for anything else: another host (`//evil.example`,
    `https://evil.example`), another scheme, backslashes, control characters."""
    if not isinstance(value, str):
        return None
    url = _safe_url(value)
    parts = split_url(url) if url else None
    if parts is None:
        return None
    if parts.scheme or parts.netloc:
        if not on_instance(parts):
            return None
        url = parts._replace(scheme="", netloc="").geturl() or "/"
    return local_path(url)


def on_instance(parts: SplitResult | None) -> bool:
    """Whether a URL (split by `split_url`) is on the instance's public origin: the scheme and
    host of TI_PUBLIC_URL."""
    base = split_url(current_app.config.get("TI_PUBLIC_URL") or "")
    if parts is None or base is None or not base.netloc:
        return False
    return (parts.scheme.lower(), parts.netloc.lower()) == (
        base.scheme.lower(),
        base.netloc.lower(),
    )


def instance_page(setting: str, **query) -> str | None:
    """One of the instance's own pages (TI_PASSWORD_RESET_PATH, ...) under TI_PUBLIC_URL."""
    from urllib.parse import urlencode

    path = current_app.config.get(setting)
    url = instance_url(path) if path else None
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if url and query else url


def local_path(value) -> str | None:
    """A path on this site (`/dashboard?tab=x`), or None for anything that could leave it."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return None
    if _has_control_or_backslash(value):
        return None
    parts = split_url(value)
    return value if parts and not parts.scheme and not parts.netloc else None
