"""The learner portal: create_app wires settings, extensions, security, errors and blueprints."""

from __future__ import annotations

from flask import Flask

from portal import config as settings
from portal.extensions import (
    babel,
    csrf,
    htmx_extension,
    limiter,
    login_manager,
    server_session,
)
from portal.templating import PortalEnvironment


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(settings.SITE_FILES / "templates"),
        static_folder=str(settings.SITE_FILES / "static"),
    )
    app.jinja_environment = PortalEnvironment
    app.config.update(settings.from_env())
    app.config.update(config or {})
    _derive_settings(app, explicit=set(config or ()))

    from portal import (
        errors,
        fragments,
        i18n,
        metrics,
        request_log,
        security,
        serving,
        session_registry,
    )
    from portal.api import budget
    from portal.api.cache import cache, cache_config
    from portal.learner import load_user

    request_log.init_app(app)
    metrics.init_app(app)
    htmx_extension.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    with app.app_context():
        i18n.use_request_domain(babel, app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)
    server_session.init_app(app)
    limiter.init_app(app)
    cache.init_app(app, config=cache_config(app.config["REDIS_URL"]))
    budget.init_app(app)
    security.init_app(app)
    session_registry.init_app(app)
    errors.init_app(app)
    serving.init_app(app)
    fragments.init_app(app)
    _register_blueprints(app)
    _template_globals(app)
    return app


def _derive_settings(app: Flask, explicit: set) -> None:
    """Settings that follow from others: secret key, session backend, cookie flags."""
    config = app.config
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = settings.kept_secret_key()
    if not config.get("TI_PUBLIC_URL") and config.get("TI_BASE_URL"):
        config["TI_PUBLIC_URL"] = settings.origin(config["TI_BASE_URL"])
    if "SESSION_COOKIE_SECURE" not in explicit:
        # Plain http is only acceptable for the local demo and tests.
        config["SESSION_COOKIE_SECURE"] = not (config["PORTAL_DEMO"] or config["TESTING"])
    if config["SESSION_TYPE"] == "redis":
        from redis import Redis

        config["SESSION_REDIS"] = Redis.from_url(config["REDIS_URL"])
    elif config["SESSION_TYPE"] in ("filesystem", "cachelib"):
        from cachelib import FileSystemCache

        config["SESSION_TYPE"] = "cachelib"
        config["SESSION_CACHELIB"] = FileSystemCache(config["SESSION_FILE_DIR"], threshold=10_000)


def _register_blueprints(app: Flask) -> None:
    """The learner areas, each a package portal/<area>/ whose views.py defines `bp`."""
    from portal.account.views import bp as account
    from portal.auth.views import bp as auth
    from portal.badges.views import bp as badges
    from portal.bookmarks.views import bp as bookmarks
    from portal.calendar.views import bp as calendar
    from portal.catalog.views import bp as catalog
    from portal.certificates.views import bp as certificates
    from portal.dashboard.views import bp as dashboard
    from portal.join.views import bp as join
    from portal.learn.views import bp as learn
    from portal.ops.views import bp as ops
    from portal.sessions.views import bp as sessions
    from portal.site.views import bp as site
    from portal.site.views import index
    from portal.verify.views import bp as verify

    app.register_blueprint(auth)
    app.register_blueprint(dashboard)
    app.register_blueprint(learn)
    app.register_blueprint(certificates)
    app.register_blueprint(badges)
    app.register_blueprint(account)
    app.register_blueprint(catalog)
    app.register_blueprint(join)
    app.register_blueprint(sessions)
    app.register_blueprint(ops)
    app.register_blueprint(calendar)
    app.register_blueprint(bookmarks)
    app.register_blueprint(site)
    app.register_blueprint(verify)
    app.add_url_rule("/", "index", index)


def _template_globals(app: Flask) -> None:
    from portal import branding, htmx, i18n, learner_context, navigation
    from portal.urls import instance_page, instance_url, safe_url

    app.jinja_env.globals.update(
        label=i18n.label,
        current_locale=i18n.current_locale,
        branding=branding.branding,
        brand_css_variables=branding.brand_css_variables,
        languages=branding.languages,
        language_choices=branding.language_choices,
        nav_items=navigation.nav_items,
        home_url=navigation.home_url,
        header_parts=navigation.header_parts,
        must_verify_email=learner_context.must_verify_email,
        instance_page=instance_page,
        autofocus=htmx.autofocus,
        swapping=htmx.wants_fragment,
    )
    app.jinja_env.filters["safe_url"] = safe_url
    app.jinja_env.filters["instance_url"] = instance_url


def _unauthorized():
    """Not signed in: to login with `next` kept (htmx gets HX-Redirect)."""
    from portal.errors import redirect_to_login

    return redirect_to_login()
