"""The instance's own web pages, as the sandbox plays them: sign in, dashboard, catalog, content
pages where learners mark sections done, certificates and terms."""

from flask import Blueprint

bp = Blueprint("sandbox_site", __name__, template_folder="../templates")

from . import views  # noqa: E402,F401  (routes register on bp)
