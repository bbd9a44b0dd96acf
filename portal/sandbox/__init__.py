"""The sandbox: a TI-compatible API server (GraphQL /helium, REST admin API v2, course creation)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from .store import Store


@dataclass
class SandboxSettings:
    """What a running sandbox was started with; kept in app.extensions["sandbox"]."""

    store: Store
    api_key: str
    latency_ms: int = 0
    fail_rate: float = 0.0
    points_per_minute: int = 10_000
    # Where learners reach this sandbox (its mail links, its image URLs): set by whoever starts
    # it, never taken from a request's Host header.
    public_url: str | None = None
    # JWT single sign-on, as an instance's SSO settings hold it: the secret shared with the
    # identity provider (the portal), the external login URL its sign-in page sends learners
    # to (`{{returnTo}}` filled in) and the logout URL its sign-out sends them to; whether a
    # token naming an unknown email creates that learner ("create") or is refused ("refuse").
    sso_secret: str = ""
    sso_login_url: str | None = None
    sso_logout_url: str | None = None
    sso_new_learners: str = "create"
    extra: dict = field(default_factory=dict)

    def public_address(self) -> str:
        """The configured public address, else the one the demo data was built for."""
        found = self.public_url or self.store.get_meta("public_url") or ""
        return found.rstrip("/")


def resolve_api_key(store: Store, api_key: str | None) -> str:
    """The given key wins; otherwise the one kept in the data dir, made on first start."""
    return _kept_secret(store, "api_key", api_key, 24)


def resolve_sso_secret(store: Store, secret: str | None) -> str:
    """The JWT single sign-on secret, kept like the API key (32 random bytes when made)."""
    return _kept_secret(store, "sso_secret", secret, 32)


def _kept_secret(store: Store, name: str, given: str | None, size: int) -> str:
    if given:
        store.set_meta(name, given)
        return given
    kept = store.get_meta(name)
    if kept:
        return kept
    kept = secrets.token_urlsafe(size)
    store.set_meta(name, kept)
    return kept


def create_sandbox_app(
    data_dir: str | Path,
    api_key: str | None = None,
    *,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    points_per_minute: int = 10_000,
    public_url: str | None = None,
    sso_secret: str | None = None,
    sso_login_url: str | None = None,
    sso_logout_url: str | None = None,
    sso_new_learners: str = "create",
) -> Flask:
    store = Store(Path(data_dir) / "sandbox.sqlite3")
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.extensions["sandbox"] = SandboxSettings(
        store=store,
        api_key=resolve_api_key(store, api_key),
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        points_per_minute=points_per_minute,
        public_url=(public_url or "").rstrip("/") or None,
        sso_secret=resolve_sso_secret(store, sso_secret),
        sso_login_url=sso_login_url or None,
        sso_logout_url=sso_logout_url or None,
        sso_new_learners=sso_new_learners,
    )
    from . import accounts_site, courses, deployments, graphql, mail, rest, site

    mail.init(store)
    app.register_blueprint(graphql.bp)
    app.register_blueprint(rest.bp)
    app.register_blueprint(courses.bp)
    app.register_blueprint(deployments.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(accounts_site.bp)
    return app
