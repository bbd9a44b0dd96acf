"""Health checks for load balancers and orchestrators: /healthz (alive) and /readyz (can serve);
/metrics for Prometheus, to allowed addresses only."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from portal import api, metrics

bp = Blueprint("ops", __name__)

DEFAULT_READY_TIMEOUT = 2.0


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
    try:
        api.ping(timeout)
    except api.ApiError as error:
        current_app.logger.warning("readiness: instance unavailable: %s", error)
        return "unavailable"
    return "ok"


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
