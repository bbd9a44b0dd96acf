"""The Flask extensions, created once here and bound to the app in create_app."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_session import Session
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

# What is not a learner's page: probes, metrics, the stylesheet every page links, calendar
# apps reading a feed, and public verification pages (limited per visitor on their own).
UNLIMITED_BLUEPRINTS = frozenset({"ops", "verify"})
UNLIMITED_ENDPOINTS = frozenset({"site.brand_css", "calendar.feed"})


def learner_or_address() -> str:
    """Whose share a request counts against: the signed-in learner's (every session and tab
    of theirs), else the address it comes from."""
    if current_user and current_user.is_authenticated:
        return f"learner:{current_user.get_id()}"
    return f"address:{get_remote_address()}"


def _pages_limit() -> str:
    return current_app.config["RATELIMIT_PAGES"]


def _not_a_page() -> bool:
    endpoint = request.endpoint or ""
    return request.blueprint in UNLIMITED_BLUEPRINTS or endpoint in UNLIMITED_ENDPOINTS


babel = Babel()
csrf = CSRFProtect()
htmx_extension = Htmx()
login_manager = LoginManager()
server_session = Session()
limiter = Limiter(
    key_func=get_remote_address,
    # Every learner's page is paid from the instance's one budget: each learner, and each
    # address not signed in, gets a fair share of pages a minute (RATELIMIT_PAGES).
    application_limits=[
        ApplicationLimit(
            _pages_limit,
            key_function=learner_or_address,
            scope="pages",
            exempt_when=_not_a_page,
        )
    ],
)
