"""The instance's own web pages, as the sandbox plays them: sign in (with a password, or through
JWT single sign-on), dashboard, catalog, content pages where learners mark sections done,
certificates and terms."""

from flask import Blueprint

bp = Blueprint("sandbox_site", __name__, template_folder="../templates")

from . import sso, views  # noqa: E402,F401  (routes register on bp)
