"""Settings of the portal, read from the environment (see the README's configuration table)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
# In a checkout, templates/ and static/ sit beside the package; an installed wheel carries
# them inside it (setup.py copies them there).
IN_CHECKOUT = (ROOT / "templates").is_dir() and (ROOT / "pyproject.toml").is_file()
SITE_FILES = ROOT if IN_CHECKOUT else PACKAGE
SUPPORTED_LOCALES = ("en", "fr", "de")


def var_dir() -> Path:
    """Where the portal keeps local state (secret key, file sessions) when nothing else is set."""
    default = ROOT / "var" if IN_CHECKOUT else Path.cwd() / "var"
    return Path(os.environ.get("PORTAL_VAR_DIR") or default)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def origin(url: str) -> str:
    """scheme://host[:port] of url: where learners reach an instance whose API is at url."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def kept_secret_key() -> str:
    """A key generated once and kept in var/secret_key, for when SECRET_KEY is not set."""
    path = var_dir() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Owner-only permissions: whoever reads it can forge sessions. O_EXCL: when several
    # workers start at once, one writes and the others read its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


def new_credential_key() -> str:
    """A new Ed25519 private key, as PEM (what CREDENTIAL_SIGNING_KEY holds)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def kept_credential_key() -> str:
    """An Ed25519 key (PEM) generated once and kept in var/credential_signing_key.pem, for when
    CREDENTIAL_SIGNING_KEY is not set: the issuer's credentials must outlive a restart."""
    path = var_dir() / "credential_signing_key.pem"
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = new_credential_key()
    # As the secret key: owner-only, and the first of several starting workers writes it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(fd, "w") as out:
        out.write(pem)
    return pem


def from_env(env=None) -> dict:
    """The portal's Flask config built from environment variables."""
    env = os.environ if env is None else env
    redis_url = env.get("REDIS_URL") or None
    return {
        "TI_BASE_URL": (env.get("TI_BASE_URL") or "").rstrip("/") or None,
        # Where learners reach the instance; None: the origin of TI_BASE_URL (create_app).
        "TI_PUBLIC_URL": (env.get("TI_PUBLIC_URL") or "").rstrip("/") or None,
        "TI_API_KEY": env.get("TI_API_KEY") or None,
        "TI_CONNECT_TIMEOUT": float(env.get("TI_CONNECT_TIMEOUT") or 3.05),
        "TI_READ_TIMEOUT": float(env.get("TI_READ_TIMEOUT") or 10),
        # /readyz gives up on the instance (and Redis) after this many seconds.
        "READY_TIMEOUT": float(env.get("READY_TIMEOUT") or 2),
        "SECRET_KEY": env.get("SECRET_KEY") or None,  # None: kept_secret_key() in create_app
        "REDIS_URL": redis_url,
        # "filesystem" or "redis"; create_app turns it into Flask-Session's own settings.
        "SESSION_TYPE": env.get("SESSION_TYPE") or ("redis" if redis_url else "filesystem"),
        "SESSION_FILE_DIR": env.get("SESSION_FILE_DIR") or str(var_dir() / "sessions"),
        "CALENDAR_FEED_DIR": env.get("CALENDAR_FEED_DIR") or str(var_dir() / "calendar-feeds"),
        # Public verification links and what they show, when REDIS_URL is unset.
        "SHARED_LINKS_DIR": env.get("SHARED_LINKS_DIR") or str(var_dir() / "shared-links"),
        # Signs Open Badges credentials (Ed25519, PEM); None: kept_credential_key() on first use.
        "CREDENTIAL_SIGNING_KEY": env.get("CREDENTIAL_SIGNING_KEY") or None,
        # Views of a public verification page per minute and visitor address.
        "RATELIMIT_VERIFY": env.get("RATELIMIT_VERIFY") or "60 per minute",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "PORTAL_DEMO": _flag(env.get("PORTAL_DEMO")),
        "BABEL_DEFAULT_LOCALE": env.get("BABEL_DEFAULT_LOCALE") or "en",
        "BABEL_DEFAULT_TIMEZONE": env.get("BABEL_DEFAULT_TIMEZONE") or "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "SUPPORTED_LOCALES": SUPPORTED_LOCALES,
        # Idle timeout; SESSION_ABSOLUTE_LIFETIME ends a session however active it is (as the
        # instance's token does).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        # A session is stored (and its cookie renewed) when it changes, not on every request:
        # the sessions registry changes it at most each SEEN_EVERY_SECONDS while the learner
        # is active, which is what keeps the idle timeout moving.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_ABSOLUTE_LIFETIME": timedelta(
            hours=float(env.get("SESSION_ABSOLUTE_LIFETIME_HOURS") or 12)
        ),
        # Addresses (or networks) of the reverse proxies whose X-Forwarded-* headers count.
        "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES") or "127.0.0.1",
        # Who may read /metrics (the learner's real address, after TRUSTED_PROXIES); with
        # METRICS_BIND set, /metrics is served on that address alone (by `portal serve`).
        "METRICS_ALLOW": env.get("METRICS_ALLOW") or "127.0.0.1 ::1",
        "METRICS_BIND": env.get("METRICS_BIND") or None,
        # Origins images and fonts may come from besides the portal and the instance.
        "ASSET_HOSTS": tuple((env.get("ASSET_HOSTS") or "").replace(",", " ").split()),
        "HSTS_MAX_AGE": int(env.get("HSTS_MAX_AGE") or 365 * 24 * 3600),
        "HSTS_INCLUDE_SUBDOMAINS": _flag(env.get("HSTS_INCLUDE_SUBDOMAINS") or "1"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "portal_session",
        # The CSRF token is bound to the server-side session; a page left open for hours
        # must still submit.
        "WTF_CSRF_TIME_LIMIT": None,
        # No rate-limit headers on every answer (a Retry-After on a 200 page, or a longer one
        # than a 503 says): each 429 the portal sends carries its own Retry-After, the reset
        # of the limit it ran into.
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_LOGIN": env.get("RATELIMIT_LOGIN") or "10 per minute",
        # Checks of redemption and registration codes per learner and per address (a code
        # typed on /join, checked or redeemed on the Account page: each code of a list counts).
        "RATELIMIT_CODE_CHECKS": env.get("RATELIMIT_CODE_CHECKS")
        or env.get("RATELIMIT_JOIN_CHECK")
        or "30 per minute",
        # Pages (and htmx parts) each learner, and each address not signed in, may ask for.
        "RATELIMIT_PAGES": env.get("RATELIMIT_PAGES") or "120 per minute",
        # The instance's API budget: points per minute for the portal's API key (TI's default;
        # 0: the instance sets none), the share kept for signing in and out, and how long a
        # page waits for points to come back before it is refused.
        "TI_POINTS_PER_MINUTE": int(env.get("TI_POINTS_PER_MINUTE") or 10_000),
        "TI_POINTS_RESERVE": float(env.get("TI_POINTS_RESERVE") or 0.2),
        "TI_BUDGET_WAIT": float(env.get("TI_BUDGET_WAIT") or 2),
        # /readyz asks the instance at most this often; its callers share the answer.
        "READY_CHECK_SECONDS": float(env.get("READY_CHECK_SECONDS") or 5),
        # The instance hands out registration codes: /join is open and the login page links it.
        "PORTAL_REGISTRATION": _flag(env.get("PORTAL_REGISTRATION")),
        # The instance's own pages (under TI_PUBLIC_URL) to reset a password, verify an email.
        "TI_PASSWORD_RESET_PATH": env.get("TI_PASSWORD_RESET_PATH") or "/forgot-password",
        "TI_VERIFY_EMAIL_PATH": env.get("TI_VERIFY_EMAIL_PATH") or "/verify-email",
        # JWT single sign-on: the secret shared with the instance (its SSO settings); set, every
        # instance link hands the learner over signed in. The instance's page that ends its
        # own session when opened, where the portal's sign-out goes next (unset: none).
        "TI_SSO_SECRET": env.get("TI_SSO_SECRET") or None,
        "TI_LOGOUT_PATH": env.get("TI_LOGOUT_PATH") or None,
        # How long the learner's client branding and languages are kept in their session.
        "LEARNER_CONTEXT_SECONDS": int(env.get("LEARNER_CONTEXT_SECONDS") or 300),
        "INSTANCE_WORKER_SECONDS": float(env.get("INSTANCE_WORKER_SECONDS") or 15),
        "FRAGMENT_CACHE_SIZE": int(env.get("FRAGMENT_CACHE_SIZE") or 512),
        "PAGE_CACHE_SIZE": int(env.get("PAGE_CACHE_SIZE") or 256),
        "PROPAGATE_EXCEPTIONS": False,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }
