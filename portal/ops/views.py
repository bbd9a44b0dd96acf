"""Health checks for load balancers and orchestrators: /healthz (alive) and /readyz (can serve);
/metrics for Prometheus, to allowed addresses only."""

from __future__ import annotations

import logging
import math
import threading
import time

from flask import Blueprint, abort, current_app, jsonify, request

from portal import api, metrics
from portal.api.budget import BudgetSpent
from portal.api.cache import cache

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)

DEFAULT_READY_TIMEOUT = 2.0
DEFAULT_CHECK_SECONDS = 5.0
READY_KEY = "ready:instance"
_local_lock = threading.Lock()


@bp.get("/healthz")
def healthz():
    """The process answers: nothing else is asked (no upstream call, no session, no template)."""
    return _answer(200, {"status": "ok"})


@bp.get("/readyz")
def readyz():
    """The instance and Redis answer within READY_TIMEOUT seconds; 503 says which does not."""
    timeout = float(current_app.config.get("READY_TIMEOUT") or DEFAULT_READY_TIMEOUT)
    checks = {"instance": _instance(timeout)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis(current_app.config["REDIS_URL"], timeout)
    ready = all(state == "ok" for state in checks.values())
    return _answer(200 if ready else 503, {"status": "ok" if ready else "unavailable", **checks})


@bp.get("/metrics")
def metrics_page():
    """Prometheus' text format, for METRICS_ALLOW only (the learner's real address behind a
    trusted proxy); 404 to anyone else, and here at all when METRICS_BIND serves it apart."""
    found = current_app.extensions["metrics"]
    if current_app.config.get("METRICS_BIND") or not metrics.allowed(
        request.remote_addr, found["allow"]
    ):
        abort(404)
    body, content_type = metrics.exposition(found["registry"])
    return body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"}


def _instance(timeout: float) -> str:
    """The instance's state as last checked: asked again at most once each READY_CHECK_SECONDS
    whoever calls, every caller (process) in the meantime reading the same answer. A flood of
    /readyz costs the instance nothing more."""
    seconds = float(current_app.config.get("READY_CHECK_SECONDS") or DEFAULT_CHECK_SECONDS)
    known = _known()
    if known and time.time() - known["at"] < seconds:
        return known["state"]
    if not _claim(min(seconds, timeout + 1)):
        # Another caller is asking right now: its answer, once there, else the last one.
        deadline = time.monotonic() + timeout
        while not known and time.monotonic() < deadline:
            time.sleep(0.05)
            known = _known()
        return known["state"] if known else "unavailable"
    state = _ask_instance(timeout, known)
    _store({"state": state, "at": time.time()})
    return state


def _ask_instance(timeout: float, known: dict | None) -> str:
    try:
        api.ping(timeout)
    except BudgetSpent:
        # The points go to learners: the instance answered last time, nothing says otherwise.
        return known["state"] if known else "ok"
    except api.ApiError as error:
        current_app.logger.warning("readiness: instance unavailable: %s", error)
        return "unavailable"
    return "ok"


def _local() -> dict:
    return current_app.extensions.setdefault("portal_readiness", {})


def _known() -> dict | None:
    try:
        found = cache.get(READY_KEY)
    except Exception:  # noqa: BLE001 - the shared store is down: this process's own answer
        found = None
    return found or _local().get("known")


def _claim(seconds: float) -> bool:
    """Whether this caller asks the instance now (for `seconds` at most): one caller at a
    time across every process; the others read its answer."""
    try:
        return bool(cache.add(READY_KEY + ":asking", 1, timeout=max(1, math.ceil(seconds))))
    except Exception:  # noqa: BLE001
        with _local_lock:
            local = _local()
            if time.monotonic() < local.get("asked_until", 0):
                return False
            local["asked_until"] = time.monotonic() + seconds
            return True


def _store(found: dict) -> None:
    _local()["known"] = found
    try:
        cache.set(READY_KEY, found, timeout=3600)
    except Exception:  # noqa: BLE001
        log.warning("readiness not shared: the cache is unavailable", exc_info=True)


def _redis(url: str, timeout: float) -> str:
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        connection.ping()
    except RedisError as error:
        current_app.logger.warning("readiness: redis unavailable: %s", type(error).__name__)
        return "unavailable"
    finally:
        connection.close()
    return "ok"


def _answer(status: int, body: dict):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
