"""The Flask extensions, created once here and bound to the app in create_app."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_session import Session
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

babel = Babel()
csrf = CSRFProtect()
htmx_extension = Htmx()
login_manager = LoginManager()
server_session = Session()
limiter = Limiter(key_func=get_remote_address)
