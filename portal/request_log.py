"""Request ids and one JSON log line per request, free of tokens, passwords and cookies."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request

from portal import api

log = logging.getLogger("portal.requests")
HEADER = "X-Request-ID"
# An id from the proxy in front is kept (one id along the whole chain) only when it cannot
# carry anything but an id into our logs and pages.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# URL parts named like this never reach a log line (a reset token in a path, say).
_SECRET_NAMES = re.compile(r"token|password|secret|key|code|signature", re.IGNORECASE)
REDACTED = "[redacted]"
# In a path no route matched (a mistyped feed or verification address, say), any run of
# characters long enough to be a secret is redacted: nothing says which part it was.
_SECRET_LIKE = re.compile(r"[A-Za-z0-9_\-]{16,}")


def request_id() -> str:
    """This request's id: sent upstream, returned as X-Request-ID, shown on error pages."""
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def loggable_path() -> str:
    """The path without its query string, URL parts with secret-sounding names redacted (in a
    path no route knows, every part long enough to be a secret)."""
    path = request.path
    if request.url_rule is None:
        return _SECRET_LIKE.sub(REDACTED, path)
    for name, value in (request.view_args or {}).items():
        if _SECRET_NAMES.search(name) and str(value):
            path = path.replace(str(value), REDACTED)
    return path


class JsonFormatter(logging.Formatter):
    """A record's `fields` (or its message) as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {"message": record.getMessage()}
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            **fields,
        }
        return json.dumps(line, separators=(",", ":"), default=str)


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response):
    response.headers[HEADER] = request_id()
    started = g.get("request_started")
    if started is None or not log.isEnabledFor(logging.INFO):
        return response
    total = (time.perf_counter() - started) * 1000
    upstream = api.stats()
    upstream_ms = upstream["seconds"] * 1000
    fields = {
        "request_id": request_id(),
        "method": request.method,
        "path": loggable_path(),
        "status": response.status_code,
        "ms": round(total, 1),
        "portal_ms": round(max(total - upstream_ms, 0.0), 1),
        "upstream_ms": round(upstream_ms, 1),
        "upstream_requests": upstream["requests"],
        "kept_answers": upstream["kept"],
    }
    log.info("%(method)s %(path)s %(status)s", fields, extra={"fields": fields})
    return response


def init_app(app: Flask) -> None:
    """Ids for every request, and the JSON lines on stderr unless logging is set up already.
    A level set on the log beforehand (WARNING: no line per request) is kept."""
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        # One line per request, in JSON: not again through Flask's plain-text handler.
        log.propagate = False
    # First before and last after every other hook, so that a request another hook refuses
    # (CSRF, rate limit) is timed and logged too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    app.jinja_env.globals["request_id"] = request_id
