"""Security headers on every response (CSP with the hashes of the page's own `<style>`, HSTS,
Permissions-Policy, no caching of learner pages), trusted proxies, and the checks `portal serve`
makes first."""

from __future__ import annotations

import base64
import functools
import hashlib
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

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


def allow_inline_style(css: str) -> None:
    """Let the page carry `<style>{css}</style>` (the instance's colours): its hash goes into
    this response's CSP. Scripts are files only, so no inline script is ever allowed.

    A hash rather than a per-response nonce: the policy then allows that one text and nothing
    injected beside it, and a page is the same bytes from response to response, so a page kept
    whole can be sent as compressed before (fragments.kept_page)."""
    if css:
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        allow_style_sources((f"'sha256-{digest}'",))


def allow_style_sources(sources: tuple[str, ...]) -> None:
    """Add CSP sources (hashes) of `<style>` elements to this response's policy: a kept page
    brings those it was drawn with."""
    if sources:
        g.csp_styles = (*inline_styles(), *sources)


def inline_styles() -> tuple[str, ...]:
    """The hashes of the `<style>` elements this response carries, as CSP sources."""
    return g.get("csp_styles", ())


# Signed form tokens a worker keeps (a few hundred bytes each), all dropped when full.
SIGNED_TOKENS_KEPT = 4096


def _reusing_form_tokens() -> bool:
    """Whether a session's signed form token is reused from response to response.

    Flask-WTF signs the session's token afresh for each response, with the time in it: that
    only counts under WTF_CSRF_TIME_LIMIT, which the portal leaves unset (a token lasts as long
    as its session). Each worker keeps the signed value, so pages are not signed again and a
    page is the same bytes every time (`fragments.kept_page` sends it as compressed before).
    Requests without a session cookie have no token to reuse; static files need none.
    """
    return (
        current_app.config.get("WTF_CSRF_TIME_LIMIT") is None
        and request.endpoint != "static"
        and current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    )


def _form_token_name() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def form_token() -> str:
    """This request's form token, found once: a dashboard's forms ask for it a few dozen
    times, and Flask-WTF's `generate_csrf` reads the settings, the session and `g` each time."""
    token = g.get("_form_token")
    if token is None:
        token = g._form_token = generate_csrf()
    return token


def reuse_form_token() -> None:
    """Before a request: the session's token as signed before, where Flask-WTF's
    `generate_csrf` (templates, forms) finds it."""
    if _reusing_form_tokens():
        name = _form_token_name()
        signed = current_app.extensions["signed_form_tokens"].get(session.get(name))
        if signed is not None:
            setattr(g, name, signed)


def keep_form_token(response):
    """After a request: the token signed for the session, kept for its next requests. Only a
    token whose session still holds the value it was signed for (a session cleared during the
    request, at login or logout, holds none)."""
    name = _form_token_name()
    signed = g.get(name)
    if signed is not None and _reusing_form_tokens():
        kept = current_app.extensions["signed_form_tokens"]
        raw = session.get(name)
        if raw is not None and raw not in kept:
            if len(kept) >= SIGNED_TOKENS_KEPT:
                kept.clear()
            kept[raw] = signed
    return response


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def asset_sources(base_url: str | None, public_url: str | None, hosts: tuple) -> str:
    """Where images and fonts may come from besides the portal: the instance (its API and
    public origins: logos, course images, the sandbox's demo images) and ASSET_HOSTS."""
    found: list[str] = []
    for value in (base_url, public_url):
        origin = _origin(value)
        if origin and origin not in found:
            found.append(origin)
    for host in hosts:
        if host not in found:
            found.append(host)
    return "".join(f" {source}" for source in found)


def content_security_policy(styles: tuple[str, ...] = ()) -> str:
    config = current_app.config
    return _policy(
        config.get("TI_BASE_URL"),
        config.get("TI_PUBLIC_URL"),
        tuple(config.get("ASSET_HOSTS") or ()),
        tuple(styles),
        bool(config.get("TI_SSO_SECRET")),
    )


@functools.lru_cache(maxsize=256)
def _policy(
    base_url: str | None,
    public_url: str | None,
    hosts: tuple,
    styles: tuple,
    single_sign_on: bool = False,
) -> str:
    """The policy for the instance's addresses, ASSET_HOSTS and the page's `<style>` hashes:
    the same few strings on every page, so made once each. With single sign-on, a form's
    answer may lead on to the instance (signing in hands over, signing out ends its session):
    browsers hold redirects after a form to `form-action` too."""
    assets = asset_sources(base_url, public_url, hosts)
    style_sources = "".join(f" {source}" for source in styles)
    instance = _origin(public_url) if single_sign_on else None
    forms = f"'self' {instance}" if instance else "'self'"
    return (
        "default-src 'self'; "
        "script-src 'self'; "
        f"style-src 'self'{style_sources}; "
        f"img-src 'self' data:{assets}; "
        f"font-src 'self' data:{assets}; "
        "connect-src 'self'; "
        f"frame-ancestors 'none'; base-uri 'none'; form-action {forms}; object-src 'none'"
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


# The same on every response (a view may set its own first: it is kept).
FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
)


def set_security_headers(response):
    headers = response.headers
    # One pass over the response's headers (each `setdefault` would make its own).
    present = {name.lower() for name, _ in headers}
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", content_security_policy(inline_styles()))
    for name, value in FIXED_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    hsts = strict_transport_security()
    if hsts and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", hsts)
    # A learner's page must not come back from a cache (shared machine, back button after
    # logout).
    # Static files are the same for everyone and keep their own caching (portal/serving.py).
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.extensions["signed_form_tokens"] = {}
    # Templates' `csrf_token()` (Flask-WTF's global) found once per request.
    app.jinja_env.globals["csrf_token"] = form_token
    app.before_request(reuse_form_token)
    app.after_request(keep_form_token)
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
