"""The stack the portal is built on, and nothing of its own: the minimal app (`_minimal.py`)
with the extensions the product's design asks for, set up as the portal sets them up.

Sessions in Redis (Flask-Session), the learner loaded from the session (Flask-Login), a CSRF
token on the page (Flask-WTF), a per-learner page limit counted in Redis (Flask-Limiter), the
page's words through Flask-Babel, compression as a browser asks (Flask-Compress), and for the
operators a Prometheus count and duration and a JSON log line per request. The page is the
minimal app's. What it costs over the minimal app is the floor under any page of the
portal: what the portal's own work may add is what is left of a goal once this is paid.

`gunicorn --pythonpath tests/benchmarks _stack:app`, with BENCH_UPSTREAM, BENCH_REQUEST and
REDIS_URL in the environment; `GET /start` signs a learner in (its Set-Cookie).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time

from _minimal import upstream_data
from flask import Flask, g, render_template, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_session import Session
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader
from prometheus_client import Counter, Histogram
from redis import Redis

from portal.serving import COMPRESSION

app = Flask(__name__)
REDIS_URL = os.environ.get("REDIS_URL") or ""
app.config.update(
    SECRET_KEY="bench-stack",
    SESSION_TYPE="redis" if REDIS_URL else "cachelib",
    SESSION_REDIS=Redis.from_url(REDIS_URL) if REDIS_URL else None,
    SESSION_REFRESH_EACH_REQUEST=False,
    SESSION_COOKIE_NAME="stack_session",
    RATELIMIT_STORAGE_URI=REDIS_URL or "memory://",
    RATELIMIT_HEADERS_ENABLED=False,
    **COMPRESSION,
)
if not REDIS_URL:
    from cachelib import SimpleCache

    app.config["SESSION_CACHELIB"] = SimpleCache()
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ _("Dashboard") }}</title></head>
<body><main><h1>{{ _("Dashboard") }}</h1>
<form method="post" action="/"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<button>{{ _("Sign out") }}</button></form><ul>
{%- for name, value in data.items() %}
<li>{{ name }}: {{ value | length if value is iterable and value is not string else value }}</li>
{%- endfor %}
</ul></main></body></html>"""
app.jinja_loader = DictLoader({"dashboard.html": PAGE})
Session(app)
CSRFProtect(app)
Babel(app)
Compress(app)
login_manager = LoginManager(app)
limiter = Limiter(
    key_func=lambda: f"learner:{current_user.get_id()}",
    app=app,
    application_limits=["1000000 per minute"],
)
REQUESTS = Counter("stack_http_requests", "Requests answered", ["endpoint", "status"])
SECONDS = Histogram("stack_http_request_seconds", "Time to answer", ["endpoint"])
log = logging.getLogger("stack.requests")
log.addHandler(logging.StreamHandler(sys.stderr))
log.setLevel(logging.INFO)
log.propagate = False


@app.before_request
def _start() -> None:
    g.started = time.perf_counter()


@app.after_request
def _finish(response):
    seconds = time.perf_counter() - g.started
    endpoint = request.endpoint or "unmatched"
    REQUESTS.labels(endpoint, f"{response.status_code // 100}xx").inc()
    SECONDS.labels(endpoint).observe(seconds)
    line = {"method": request.method, "path": request.path, "status": response.status_code}
    log.info(json.dumps({**line, "ms": round(seconds * 1000, 1)}))
    return response


class Learner(UserMixin):
    def __init__(self, ident: str):
        self.id = ident


@login_manager.user_loader
def load_user(ident: str) -> Learner:
    return Learner(ident)


@app.get("/start")
def start():
    login_user(Learner(os.urandom(8).hex()))
    return "signed in"


@app.get("/dashboard")
@login_required
def dashboard():
    return render_template("dashboard.html", data=upstream_data())


@app.get("/healthz")
@limiter.exempt
def healthz():
    return {"status": "ok"}
