"""With REDIS_URL set, two portal processes share sessions, login rate limits and instance data."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import flask
import pytest
import redis

from portal import create_app, session_registry
from portal.api.cache import forget_instance_data
from portal.config import from_env
from tests.conftest import csrf_from
from tests.processes import stop_process, wait_for_redis
from tests.test_sessions import FIREFOX, SAFARI, current_user, session_ids, signed_in, token_of

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    """A real redis-server on a free loopback port, without persistence, for this module."""
    if not shutil.which(REDIS_SERVER):
        pytest.skip(f"{REDIS_SERVER} is missing: `make install` as root installs redis-server")
    port = _free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [REDIS_SERVER, *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for_redis(process, url)
        yield url
    finally:
        stop_process(process)


@pytest.fixture
def store(redis_url):
    """The Redis database, emptied before each test (the `redis` package talking to it)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def two_apps(sandbox, portal_config, redis_url, store):
    """Two portal apps, as two processes behind gunicorn: same REDIS_URL and SECRET_KEY.

    Session and rate-limit settings come from `from_env` as in production, with REDIS_URL set.
    """
    env = from_env({"REDIS_URL": redis_url})
    shared = {key: env[key] for key in ("REDIS_URL", "SESSION_TYPE", "RATELIMIT_STORAGE_URI")}
    assert shared["SESSION_TYPE"] == "redis" and shared["RATELIMIT_STORAGE_URI"] == redis_url
    first = create_app(portal_config(sandbox.url, **shared))
    second = create_app(portal_config(sandbox.url, **shared))
    return first, second


def _clients(two_apps):
    return two_apps[0].test_client(), two_apps[1].test_client()


def _share_cookie(source, target) -> str:
    cookie = source.get_cookie("portal_session")
    assert cookie is not None, "no session cookie"
    target.set_cookie("portal_session", cookie.value)
    return cookie.value


def test_login_on_one_process_is_a_login_on_the_other(two_apps, login, store):
    client_a, client_b = _clients(two_apps)
    assert login(client_a, "busy").status_code == 303
    session_id = _share_cookie(client_a, client_b)
    assert store.exists(f"session:{session_id}"), "the session is not stored in Redis"

    page = client_b.get("/dashboard")

    assert page.status_code == 200
    assert "Avery" in page.get_data(as_text=True)


def test_logout_on_one_process_logs_out_on_the_other(two_apps, login, store):
    client_a, client_b = _clients(two_apps)
    login(client_a, "busy")
    session_id = _share_cookie(client_a, client_b)
    assert client_b.get("/dashboard").status_code == 200

    token = csrf_from(client_a.get("/dashboard").get_data(as_text=True))
    assert client_a.post("/logout", data={"csrf_token": token}).status_code == 303

    assert not store.exists(f"session:{session_id}")
    page = client_b.get("/dashboard")
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]


def test_login_rate_limit_is_shared_by_the_processes(two_apps, csrf_token, store):
    clients = _clients(two_apps)

    def attempt(number: int):
        client = clients[number % 2]
        # A new email each time: only the per-address limit (10 a minute) counts them all,
        # and the sandbox's own per-email lockout never answers.
        data = {
            "email": f"nobody{number}@example.com",
            "password": "wrong-password",
            "csrf_token": csrf_token(client, "/login"),
        }
        return client.post("/login", data=data)

    statuses = [attempt(number).status_code for number in range(10)]
    assert 429 not in statuses, statuses
    counts = [int(store.get(key)) for key in store.keys("LIMITS*")]
    assert 10 in counts, f"the ten attempts are not counted together in Redis: {counts}"

    refused = attempt(10)

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_instance_data_cached_by_one_process_is_served_to_the_other(two_apps, sandbox, store):
    held = 0.5  # seconds each process keeps its own copy
    for app in two_apps:
        app.config["INSTANCE_WORKER_SECONDS"] = held
    client_a, client_b = _clients(two_apps)
    assert "Northwind Academy" in client_a.get("/login").get_data(as_text=True)
    assert any(key.startswith(b"portal:instance-data:") for key in store.keys())

    sandbox.store.execute("UPDATE company SET name = ?", "Southwind College")
    cached = client_b.get("/login").get_data(as_text=True)
    assert "Northwind Academy" in cached and "Southwind College" not in cached

    with two_apps[1].app_context():
        forget_instance_data()

    fresh = client_b.get("/login").get_data(as_text=True)
    assert "Southwind College" in fresh and "Northwind Academy" not in fresh
    time.sleep(held + 0.1)  # the other process's own copy has run out by now
    fresh = client_a.get("/login").get_data(as_text=True)
    assert "Southwind College" in fresh and "Northwind Academy" not in fresh


def test_sessions_are_listed_and_ended_across_processes_with_redis(two_apps, login, sandbox, store):
    first, second = two_apps
    laptop = signed_in(first, login, FIREFOX)
    phone = signed_in(second, login, SAFARI)
    assert any(key.startswith(b"portal:sessions-of:") for key in store.keys())
    laptop_token = token_of(first, laptop)
    page = phone.get("/account").get_data(as_text=True)
    assert "Firefox on Windows" in page and len(session_ids(page)) == 1

    phone.post("/account/sessions/end-all", data={"csrf_token": csrf_from(page)})

    assert laptop.get("/dashboard").status_code == 302
    assert current_user(sandbox, laptop_token)["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )


def test_a_page_asks_redis_for_its_session_alone_and_the_index_once_a_minute(
    two_apps, login, store, monkeypatch
):
    first, _ = two_apps
    laptop = signed_in(first, login, FIREFOX)
    assert laptop.get("/dashboard").status_code == 200
    store.config_resetstat()

    for _ in range(3):
        assert laptop.get("/dashboard").status_code == 200

    stats = store.info("commandstats")
    assert stats["cmdstat_get"]["calls"] >= 3  # the session, once a page
    # No look-up in the sessions' index (a hash: HGET, HGETALL, HSET...).
    assert not [name for name in stats if name.startswith("cmdstat_h")], stats
    monkeypatch.setattr(session_registry, "SEEN_EVERY_SECONDS", 0)
    assert laptop.get("/dashboard").status_code == 200
    assert store.info("commandstats")["cmdstat_hget"]["calls"] == 1  # a minute on: seen again


def test_a_session_ended_while_one_of_its_requests_runs_stays_ended(two_apps, login, store):
    first, second = two_apps
    laptop = signed_in(first, login, FIREFOX)
    phone = signed_in(second, login, SAFARI)
    cookie = laptop.get_cookie("portal_session").value
    interface = first.session_interface
    with first.test_request_context("/dashboard", headers={"Cookie": f"portal_session={cookie}"}):
        running = interface.open_session(first, flask.request)  # a laptop page, begun
        assert running.get("user")
        page = phone.get("/account").get_data(as_text=True)
        phone.post("/account/sessions/end-all", data={"csrf_token": csrf_from(page)})
        running["lang"] = "fr"  # the page changes its session, then saves it
        interface.save_session(first, running, first.response_class())

    assert not store.exists(interface._get_store_id(running.sid))
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 302  # signed out everywhere, itself too


def test_a_link_shared_on_one_process_verifies_and_withdraws_on_the_other(
    two_apps, login, sandbox, store
):
    from tests.credential_verifier import Refused, verify
    from tests.test_certificates import cert_id
    from tests.test_verify import credential_of, fetcher, share, withdraw

    first, second = _clients(two_apps)
    login(first)
    _share_cookie(first, second)
    path = share(first, cert_id(sandbox, "Foundations of Leadership"))
    visitor = two_apps[1].test_client(use_cookies=False)
    assert visitor.get(path).status_code == 200
    token = credential_of(visitor, path)
    verify(token, fetcher(visitor))
    assert store.keys("portal:shares:*"), "nothing stored in Redis"
    assert withdraw(second, path).status_code == 303
    assert two_apps[0].test_client(use_cookies=False).get(path).status_code == 410
    # The status list is the Redis bitmap: SETBIT's bit order is the Bitstring Status List's.
    with pytest.raises(Refused, match="revoked"):
        verify(token, fetcher(visitor))


def test_processes_share_the_api_budget_and_one_readiness_check(
    sandbox, portal_config, redis_url, store
):
    from tests.test_budget import BUSY, Upstream, sign_in, spend_budget

    env = from_env({"REDIS_URL": redis_url})
    shared = {key: env[key] for key in ("REDIS_URL", "SESSION_TYPE", "RATELIMIT_STORAGE_URI")}
    settings = {"TI_POINTS_PER_MINUTE": 100, "TI_BUDGET_WAIT": 0, "READY_CHECK_SECONDS": 30}
    first, second = (create_app(portal_config(sandbox.url, **shared, **settings)) for _ in "ab")
    upstream = Upstream(sandbox)
    for app in (first, second) * 10:
        assert app.test_client().get("/readyz").status_code == 200
    assert upstream.names().count("Ping") == 1
    # What one process spends, the other counts: its learner's new page is not sent.
    busy = first.test_client()
    sign_in(busy, "busy")
    spend_budget(busy, upstream)
    other = second.test_client()
    assert sign_in(other, "new").status_code == 303  # the reserve, shared too
    asked = len(upstream.calls)
    assert BUSY in other.get("/badges").get_data(as_text=True)
    assert len(upstream.calls) == asked
    assert 429 not in upstream.statuses()
