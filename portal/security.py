"""Security headers on every response: CSP with a per-request nonce, no caching of learner pages."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_login import current_user


def csp_nonce() -> str:
    """This request's nonce, for the `<script>` and `<style>` elements we write ourselves."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def upstream_origin() -> str:
    """The TI instance's origin: its assets (logos, images) may be served from it over http
    when it is the local sandbox."""
    parts = urlsplit(current_app.config.get("TI_BASE_URL") or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f" {parts.scheme}://{parts.netloc}"
    return ""


def content_security_policy(nonce: str) -> str:
    assets = upstream_origin()
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        f"img-src 'self' https: data:{assets}; "
        f"font-src 'self' https: data:{assets}; "
        "connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # A learner's page must not come back from a cache (shared machine, back button after
    # logout).
    # Static files are the same for everyone and keep their own caching (portal/serving.py).
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_security_headers)
