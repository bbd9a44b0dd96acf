"""Security headers on every response (CSP with a per-request nonce, HSTS, Permissions-Policy,
no caching of learner pages), trusted proxies, and the checks `portal serve` makes first."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_login import current_user

from portal.proxies import DEFAULT_TRUSTED_PROXIES as DEFAULT_TRUSTED
from portal.proxies import TrustedProxyFix, parse_trusted

# Browser features the portal never uses: denied to it and to anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def csp_nonce() -> str:
    """This request's nonce, for the `<script>` and `<style>` elements we write ourselves."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def asset_sources() -> str:
    """Where images and fonts may come from besides the portal: the instance (its API and
    public origins: logos, course images, the sandbox's demo images) and ASSET_HOSTS."""
    config = current_app.config
    found: list[str] = []
    for value in (config.get("TI_BASE_URL"), config.get("TI_PUBLIC_URL")):
        origin = _origin(value)
        if origin and origin not in found:
            found.append(origin)
    for host in config.get("ASSET_HOSTS") or ():
        if host not in found:
            found.append(host)
    return "".join(f" {source}" for source in found)


def content_security_policy(nonce: str) -> str:
    assets = asset_sources()
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        f"img-src 'self' data:{assets}; "
        f"font-src 'self' data:{assets}; "
        "connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )


def strict_transport_security() -> str | None:
    """The HSTS header for this response: HTTPS requests (as a trusted proxy says) outside demo
    mode only, since plain-http demo hosts must stay reachable."""
    config = current_app.config
    if config.get("PORTAL_DEMO") or not request.is_secure:
        return None
    value = f"max-age={int(config['HSTS_MAX_AGE'])}"
    if config.get("HSTS_INCLUDE_SUBDOMAINS"):
        value += "; includeSubDomains"
    return value


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    hsts = strict_transport_security()
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    # A learner's page must not come back from a cache (shared machine, back button after
    # logout).
    # Static files are the same for everyone and keep their own caching (portal/serving.py).
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_security_headers)
    app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["TRUSTED_PROXIES"])


def serve_options(workers: int, env) -> list[str]:
    """Extra gunicorn options for `portal serve`, or ValueError saying what to set first.

    Without Redis each worker keeps its own count of login attempts, so several workers
    multiply the limit, and signing out of every session cannot reach them all.
    """
    if workers > 1 and not env.get("REDIS_URL"):
        raise ValueError(
            f"{workers} workers need Redis to share login limits and sessions: set "
            "REDIS_URL (for example REDIS_URL=redis://127.0.0.1:6379/0), or run with "
            "--workers 1."
        )
    trusted = env.get("TRUSTED_PROXIES") or DEFAULT_TRUSTED
    parse_trusted(trusted)  # a wrong address stops here, with its name
    # gunicorn believes X-Forwarded-Proto from the same proxies as the portal does.
    return ["--forwarded-allow-ips", ",".join(trusted.replace(",", " ").split())]
