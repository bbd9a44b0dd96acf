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
    extra: dict = field(default_factory=dict)

    def public_address(self) -> str:
        """The configured public address, else the one the demo data was built for."""
        found = self.public_url or self.store.get_meta("public_url") or ""
        return found.rstrip("/")


def resolve_api_key(store: Store, api_key: str | None) -> str:
    """The given key wins; otherwise the one kept in the data dir, made on first start."""
    if api_key:
        store.set_meta("api_key", api_key)
        return api_key
    kept = store.get_meta("api_key")
    if kept:
        return kept
    kept = secrets.token_urlsafe(24)
    store.set_meta("api_key", kept)
    return kept


def create_sandbox_app(
    data_dir: str | Path,
    api_key: str | None = None,
    *,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    points_per_minute: int = 10_000,
    public_url: str | None = None,
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
