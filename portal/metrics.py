"""Prometheus metrics: requests, instance calls, kept pages and fragments, sign-ins and sessions,
counted in every gunicorn worker and exposed at /metrics to the addresses allowed to read them.

Under `portal serve` every worker writes its counts to memory-mapped files in
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode), and whichever worker answers a
scrape reads them all. Counting costs a lock and a write to memory per value, so a request adds a
few microseconds: the families are labelled by endpoint and operation names, never by URL,
learner or anything else without a bound. What is true of the site rather than of a request
(Redis answers, sessions signed in) is read when Prometheus scrapes, never on a learner's page.
"""

from __future__ import annotations

import json
import logging
import os
import time

from flask import Flask, g, request, request_finished
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from portal import api
from portal.api import budget
from portal.gunicorn_config import MULTIPROC_ENV
from portal.proxies import Network, in_networks, parse_networks

log = logging.getLogger(__name__)

DEFAULT_ALLOW = "127.0.0.1 ::1"
# A page waits ~200 ms on the instance: buckets fine around that, up to a request that timed out.
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "portal_http_requests_total",
    "Requests answered, by endpoint (the route's name, never its URL) and status class",
    ["endpoint", "status"],
)
REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time from a request's arrival to its response, by endpoint",
    ["endpoint"],
    buckets=SECONDS,
)
INSTANCE_REQUESTS = Counter(
    "portal_instance_requests_total",
    "Calls to the instance's GraphQL API, by operation (a retried call counts once)",
    ["operation"],
)
INSTANCE_SECONDS = Histogram(
    "portal_instance_request_duration_seconds",
    "Time a call to the instance's API took, retries included, by operation",
    ["operation"],
    buckets=SECONDS,
)
INSTANCE_ERRORS = Counter(
    "portal_instance_errors_total",
    "Calls to the instance that failed, by operation and error kind (Unavailable and "
    "RateLimited are the instance's; BadCredentials, NotFound... are answers to the learner)",
    ["operation", "kind"],
)
CACHE_LOOKUPS = Counter(
    "portal_cache_lookups_total",
    "Lookups in each worker's kept pages and fragments, by cache and result (hit or miss)",
    ["cache", "result"],
)
SIGN_INS = Counter(
    "portal_sign_ins_total",
    "Sign-in attempts, by result: ok, failed (refused or invalid), rate_limited, unavailable",
    ["result"],
)
SIGN_IN_RESULTS = ("ok", "failed", "rate_limited", "unavailable")
SIGN_IN_ENDPOINT = "auth.login"
BUDGET_REFUSALS = Counter(
    "portal_api_budget_refusals_total",
    "Calls the portal did not send to keep within the instance's API budget, by priority "
    "(first: signing in and out; page; background: readiness)",
    ["priority"],
)
# Instance errors that are the instance's, not an answer about the learner's request.
INSTANCE_FAULTS = ("Unavailable", "RateLimited")


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def cache_counters(cache: str) -> tuple:
    """The hit and miss counters of one cache, bound once (a lookup then costs one increment)."""
    return CACHE_LOOKUPS.labels(cache, "hit"), CACHE_LOOKUPS.labels(cache, "miss")


def sign_in(result: str) -> None:
    """Count a sign-in attempt's result (one of SIGN_IN_RESULTS)."""
    SIGN_INS.labels(result).inc()
    g.sign_in_counted = True


def _observe_request(sender: Flask, response, **extra) -> None:
    """After every request, once its response is final (compressed, headers set)."""
    started = g.get("request_started")
    endpoint = request.endpoint or "unmatched"
    if endpoint == SIGN_IN_ENDPOINT and request.method == "POST" and not g.get("sign_in_counted"):
        # Refused before the view ran: the learner's (or address's) share of pages was spent.
        sign_in("rate_limited" if response.status_code == 429 else "failed")
    REQUESTS.labels(endpoint, status_class(response.status_code)).inc()
    if started is not None:
        REQUEST_SECONDS.labels(endpoint).observe(time.perf_counter() - started)


def _observe_instance(operation: str, seconds: float, error: str | None) -> None:
    INSTANCE_REQUESTS.labels(operation).inc()
    INSTANCE_SECONDS.labels(operation).observe(seconds)
    if error is not None:
        INSTANCE_ERRORS.labels(operation, error).inc()


def _observe_budget_refusal(priority: str) -> None:
    BUDGET_REFUSALS.labels(priority).inc()


class SiteCollector:
    """What Prometheus reads of the site at each scrape: whether Redis answers, and how many
    sessions are signed in (the sessions' index in Redis: started within the absolute lifetime,
    seen within the idle one). Without REDIS_URL neither family is exported."""

    INDEX_PATTERN = "portal:sessions-of:*"

    def __init__(self, redis_url: str | None, idle_seconds: float, absolute_seconds: float):
        self.redis_url = redis_url
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds

    def collect(self):
        if not self.redis_url:
            return
        from redis import Redis
        from redis.exceptions import RedisError

        up = GaugeMetricFamily("portal_redis_up", "1 when Redis answered this scrape, else 0")
        sessions = GaugeMetricFamily(
            "portal_signed_in_sessions", "Learners' sessions signed in now, on every process"
        )
        client = Redis.from_url(self.redis_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            count = self._signed_in(client)
        except RedisError as error:
            log.warning("metrics: redis unavailable: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        finally:
            client.close()
        up.add_metric([], 1)
        sessions.add_metric([], count)
        yield up
        yield sessions

    def _signed_in(self, client) -> int:
        now, count = time.time(), 0
        keys = list(client.scan_iter(match=self.INDEX_PATTERN, count=1000))
        for start in range(0, len(keys), 500):
            with client.pipeline(transaction=False) as pipe:
                for key in keys[start : start + 500]:
                    pipe.hvals(key)
                for entries in pipe.execute():
                    count += sum(self._open(json.loads(entry), now) for entry in entries)
        return count

    def _open(self, entry: dict, now: float) -> bool:
        started, seen = entry.get("started", 0), entry.get("seen", 0)
        return now - started < self.absolute_seconds and now - seen < self.idle_seconds


def registry(site: SiteCollector) -> CollectorRegistry:
    """What a scrape reads: every worker's files in multiprocess mode (else this process's own
    metrics), and the site's state read at that moment."""
    joined = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(joined)
    else:
        joined.register(REGISTRY)
    joined.register(site)
    return joined


def site_collector(config) -> SiteCollector:
    return SiteCollector(
        config.get("REDIS_URL"),
        config["PERMANENT_SESSION_LIFETIME"].total_seconds(),
        config["SESSION_ABSOLUTE_LIFETIME"].total_seconds(),
    )


def exposition(scraped: CollectorRegistry) -> tuple[bytes, str]:
    """The text format Prometheus reads, and its content type."""
    return generate_latest(scraped), CONTENT_TYPE_LATEST


def split_bind(bind: str) -> tuple[str, int]:
    """`host:port` (`[::]:9100` for IPv6) as (host, port), or ValueError naming METRICS_BIND."""
    host, _, port = bind.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"METRICS_BIND: {bind!r} is not host:port") from None
    if not host or not 0 < number < 65536:
        raise ValueError(f"METRICS_BIND: {bind!r} is not host:port")
    return host.strip("[]"), number


def allowed_networks(value: str | None) -> tuple[Network, ...] | None:
    return parse_networks(value or DEFAULT_ALLOW, "METRICS_ALLOW")


def allowed(address: str | None, networks: tuple[Network, ...] | None) -> bool:
    """Whether the learner's real address (after the trusted proxies) may read /metrics."""
    return in_networks(address, networks)


_instance_observed = False


def init_app(app: Flask) -> None:
    """Count every request and instance call; keep what /metrics serves on the app."""
    global _instance_observed
    app.extensions["metrics"] = {
        "allow": allowed_networks(app.config.get("METRICS_ALLOW")),
        "registry": registry(site_collector(app.config)),
    }
    request_finished.connect(_observe_request, app)
    if not _instance_observed:  # one hook per process, however many apps (tests) it makes
        api.observe(_observe_instance)
        budget.observe(_observe_budget_refusal)
        _instance_observed = True
