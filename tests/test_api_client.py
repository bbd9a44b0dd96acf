"""The TI API client over real HTTP: the sandbox for answers, small local servers for faults."""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from flask import Flask, session
from werkzeug.wrappers import Request, Response

from portal import api
from portal.api import errors
from portal.api.cache import cache, cache_config, forget_instance_data, instance_data
from portal.sandbox.server import start

API_KEY = "client-test-key"
PASSWORD = "thread-test-password"


def portal_app(base_url: str | None, **config) -> Flask:
    """A Flask app holding only what the client reads: its settings and a session."""
    app = Flask("portal-api-test")
    app.config.update(
        SECRET_KEY="test-secret",
        TI_BASE_URL=base_url,
        TI_API_KEY=API_KEY,
        TI_CONNECT_TIMEOUT=1,
        TI_READ_TIMEOUT=2,
    )
    app.config.update(config)
    cache.init_app(app, config=cache_config(None))
    return app


@pytest.fixture
def upstream():
    """Callable: upstream(handler) runs handler(request) -> Response on a loopback port.

    The result has `.url` and `.hits` (the requests it received, in order).
    """
    running, release = [], threading.Event()

    def serve(handler):
        hits = []

        @Request.application
        def app(request):
            hits.append(
                SimpleNamespace(
                    headers=dict(request.headers),
                    args=dict(request.args),
                    body=request.get_json(silent=True),
                )
            )
            return handler(request)

        server = start(app)
        running.append(server)
        return SimpleNamespace(url=server.url, hits=hits, release=release)

    yield serve
    release.set()
    for server in running:
        server.stop()


def graphql_answer(payload: dict, status: int = 200, **headers) -> Response:
    return Response(json.dumps(payload), status, headers=headers, content_type="application/json")


def answer_with(payload: dict, status: int = 200, **headers):
    return lambda request: graphql_answer(payload, status, **headers)


@pytest.fixture
def resetting_listener():
    """A TCP port that accepts connections and resets them at once; `.accepted` counts them."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)
    state = SimpleNamespace(accepted=0, stop=False)

    def serve():
        while not state.stop:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            state.accepted += 1
            connection.settimeout(1)
            try:
                connection.recv(65536)
            except OSError:
                pass
            # Linger 0: close sends RST, the way a crashing upstream drops a connection.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    yield state
    state.stop = True
    thread.join(timeout=5)
    listener.close()


DASHBOARD = {
    "withItems": False,
    "withRecent": False,
    "withWaitlist": False,
    "withArchived": False,
    "withCertificates": False,
    "withExpiring": False,
    "withCompletions": False,
    "withEventFields": False,
    "withBookmarks": False,
}


def closed_port_url() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


# --- what goes on the wire ---------------------------------------------------------------------


def test_the_learner_token_goes_in_the_authtoken_header_of_that_request_only(upstream):
    fake = upstream(answer_with({"data": {"CurrentUser": {"id": "1"}}}))
    app = portal_app(fake.url)
    with app.test_request_context("/"):
        session["ti_token"] = "token-of-ada"
        api.run("CurrentUser")
        api.run_anonymous("CurrentUser")
        api.run_as("token-of-bob", "CurrentUser")
    assert [hit.headers.get("Authtoken") for hit in fake.hits] == [
        "token-of-ada",
        None,
        "token-of-bob",
    ]
    assert all(hit.args == {"apiKey": API_KEY} for hit in fake.hits)


def test_the_document_is_posted_as_json_with_its_operation_name_and_variables(upstream):
    fake = upstream(answer_with({"data": {"Login": "new-token"}}))
    with portal_app(fake.url).test_request_context("/"):
        data = api.run_anonymous("Login", email="ada@example.com", password="secret")
    assert data == {"Login": "new-token"}
    body = fake.hits[0].body
    assert body["operationName"] == "Login"
    assert body["variables"] == {"email": "ada@example.com", "password": "secret"}
    assert body["query"].startswith("mutation Login(")


def test_cookies_the_upstream_sets_are_never_sent_back(upstream):
    fake = upstream(
        lambda request: graphql_answer(
            {"data": {"CurrentUser": None}}, **{"Set-Cookie": "sid=ada; Path=/"}
        )
    )
    with portal_app(fake.url).test_request_context("/"):
        api.run_as("token-of-ada", "CurrentUser")
        api.run_as("token-of-bob", "CurrentUser")
    assert "Cookie" not in fake.hits[1].headers


def test_a_compressed_answer_is_read(upstream):
    import gzip

    def compressed(request):
        assert "gzip" in request.headers.get("Accept-Encoding", "")
        body = gzip.compress(json.dumps({"data": {"CurrentUser": {"id": "1"}}}).encode())
        return Response(body, headers={"Content-Encoding": "gzip"}, content_type="application/json")

    fake = upstream(compressed)
    with portal_app(fake.url).test_request_context("/"):
        assert api.run_anonymous("CurrentUser") == {"CurrentUser": {"id": "1"}}


def test_a_redirect_is_not_followed(upstream):
    target = upstream(answer_with({"data": {"Languages": []}}))
    fake = upstream(lambda request: Response("", 307, headers={"Location": target.url}))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.Unavailable, match="cannot read"):
            api.run_anonymous("CurrentUser")
    assert target.hits == []  # the learner's token never went where the answer pointed


def test_stats_count_upstream_requests_and_points_of_this_request(upstream):
    fake = upstream(answer_with({"data": {"Languages": []}}))
    app = portal_app(fake.url)

    def counts():
        found = api.stats()
        return {"requests": found["requests"], "points": found["points"]}

    with app.test_request_context("/"):
        assert counts() == {"requests": 0, "points": 0}
        assert api.stats()["seconds"] == 0
        api.run_as("token-of-ada", "CurrentUser")
        api.run_anonymous("InstanceData")
        assert counts() == {"requests": 2, "points": 1 + 4}
        assert api.stats()["seconds"] > 0
    with app.test_request_context("/"):
        assert counts() == {"requests": 0, "points": 0}


def test_the_answers_digest_covers_the_answers_since_a_request_as_sent(upstream):
    fake = upstream(answer_with({"data": {"Languages": []}}))
    app = portal_app(fake.url)
    with app.test_request_context("/"):
        nothing = api.answers_digest(0)
        api.run_anonymous("InstanceData")
        first = api.answers_digest(0)
        assert first != nothing
        api.run_anonymous("InstanceData")
        assert api.answers_digest(1) == first  # the same answer, as sent
        assert api.answers_digest(0) not in (first, nothing)
        assert api.answers_digest(2) == nothing
    with app.test_request_context("/"):
        assert api.answers_digest(0) == nothing  # another portal request


def test_the_request_id_goes_upstream_with_every_call(upstream):
    fake = upstream(answer_with({"data": {"Languages": []}}))
    with portal_app(fake.url).test_request_context("/"):
        from flask import g

        g.request_id = "req-1234"
        api.run_anonymous("InstanceData")
    headers = {name.lower(): value for name, value in fake.hits[0].headers.items()}
    assert headers["x-request-id"] == "req-1234"


def test_an_unknown_operation_is_a_programming_error(upstream):
    fake = upstream(answer_with({"data": {}}))
    with portal_app(fake.url).test_request_context("/"), pytest.raises(LookupError):
        api.run("NoSuchOperation")
    assert fake.hits == []


# --- upstream faults -----------------------------------------------------------------------------


def test_a_hanging_upstream_is_unavailable_after_the_read_timeout(upstream):
    fake = upstream(lambda request: fake.release.wait(30) and graphql_answer({"data": {}}))
    with portal_app(fake.url, TI_READ_TIMEOUT=0.3).test_request_context("/"):
        with pytest.raises(errors.Unavailable, match="took too long"):
            api.run_anonymous("InstanceData")
    assert len(fake.hits) == 1, "a timeout is not retried: the learner would wait twice as long"


def test_connection_refused_is_unavailable():
    with portal_app(closed_port_url()).test_request_context("/"):
        with pytest.raises(errors.Unavailable, match="cannot be reached"):
            api.run_anonymous("InstanceData")


def test_a_missing_base_url_is_unavailable(caplog):
    with portal_app(None).test_request_context("/"), pytest.raises(errors.Unavailable):
        api.run_anonymous("InstanceData")
    assert "TI_BASE_URL" in caplog.text


def test_a_query_is_retried_once_when_the_connection_fails(resetting_listener):
    with portal_app(resetting_listener.url).test_request_context("/"):
        with pytest.raises(errors.Unavailable):
            api.run_anonymous("InstanceData")
    assert resetting_listener.accepted == 2


def test_a_mutation_is_never_retried_when_the_connection_fails(resetting_listener):
    with portal_app(resetting_listener.url).test_request_context("/"):
        with pytest.raises(errors.Unavailable):
            api.run_anonymous("Login", email="ada@example.com", password="secret")
    assert resetting_listener.accepted == 1


def test_a_mutation_is_never_retried_after_a_502(upstream):
    fake = upstream(lambda request: Response("<h1>Bad gateway</h1>", 502, content_type="text/html"))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.Unavailable):
            api.run_as("token", "Logout")
    assert len(fake.hits) == 1


@pytest.mark.parametrize(
    "response",
    [
        Response("<h1>Bad gateway</h1>", 502, content_type="text/html"),
        graphql_answer({"errors": [{"message": "Internal server error."}]}, 500),
        graphql_answer({"data": None, "errors": [{"message": "Down."}]}, 503),
        Response("{not json", 200, content_type="application/json"),
        graphql_answer({"hello": "world"}),
        graphql_answer({"data": None}),
    ],
    ids=["502-html", "500-json", "503-json", "invalid-json", "not-graphql", "null-data"],
)
def test_broken_answers_are_unavailable(upstream, response):
    fake = upstream(lambda request: response)
    with portal_app(fake.url).test_request_context("/"), pytest.raises(errors.Unavailable):
        api.run_anonymous("InstanceData")


def test_429_is_rate_limited_with_the_seconds_to_wait(upstream):
    body = {"errors": [{"message": "Rate limit exceeded.", "extensions": {"code": "RATE_LIMITED"}}]}
    fake = upstream(answer_with(body, 429, **{"Retry-After": "7"}))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.RateLimited) as raised:
            api.run_anonymous("InstanceData")
    assert raised.value.retry_after == 7
    assert raised.value.code == "RATE_LIMITED"


def test_429_without_a_graphql_body_is_still_rate_limited(upstream):
    fake = upstream(lambda request: Response("slow down", 429, headers={"Retry-After": "3"}))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.RateLimited) as raised:
            api.run_anonymous("InstanceData")
    assert raised.value.retry_after == 3


def test_http_401_is_a_configuration_problem_not_an_expired_token(upstream, caplog):
    body = {
        "errors": [
            {"message": "Invalid or missing API key.", "extensions": {"code": "UNAUTHORIZED"}}
        ]
    }
    fake = upstream(answer_with(body, 401))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.Unavailable) as raised:
            api.run_as("token", "CurrentUser")
    assert not isinstance(raised.value, errors.TokenExpired)
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("portal")]
    assert any("TI_API_KEY" in message for message in ours)
    assert not any(API_KEY in message for message in ours)


def test_a_graphql_validation_error_is_bad_input(upstream):
    body = {
        "errors": [
            {
                "message": "Cannot query field 'nope' on type 'Query'.",
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ]
    }
    fake = upstream(answer_with(body, 400))
    with portal_app(fake.url).test_request_context("/"), pytest.raises(errors.BadInput):
        api.run_anonymous("InstanceData")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("INVALID_CREDENTIALS", errors.BadCredentials),
        ("ACCOUNT_DISABLED", errors.AccountDisabled),
        ("TOO_MANY_ATTEMPTS", errors.TooManyAttempts),
        ("PASSWORD_RESET_REQUIRED", errors.PasswordResetRequired),
        ("UNAUTHENTICATED", errors.TokenExpired),
        ("BAD_USER_INPUT", errors.BadInput),
        ("NOT_FOUND", errors.NotFound),
        ("FORBIDDEN", errors.Forbidden),
        ("SOMETHING_NEW", errors.ApiError),
        (None, errors.ApiError),
    ],
)
def test_graphql_error_codes_become_error_kinds(upstream, code, kind):
    error = {"message": "Refused for a reason.", "path": ["CurrentUser"]}
    if code:
        error["extensions"] = {"code": code}
    fake = upstream(answer_with({"data": None, "errors": [error]}))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.ApiError) as raised:
            api.run_as("token", "CurrentUser")
    assert type(raised.value) is kind
    assert raised.value.message == "Refused for a reason."
    assert raised.value.code == code


def test_a_partial_failure_raises_the_first_error_with_the_data_kept(upstream):
    answer = {
        "data": {"CompanyDetails": {"name": "Northwind"}, "Languages": None},
        "errors": [
            {"message": "Not here.", "extensions": {"code": "NOT_FOUND"}},
            {"message": "Nor here.", "extensions": {"code": "FORBIDDEN"}},
        ],
    }
    fake = upstream(answer_with(answer))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.NotFound) as raised:
            api.run_anonymous("InstanceData")
    assert raised.value.data["CompanyDetails"] == {"name": "Northwind"}


def test_a_batch_riding_along_fails_alone_and_the_page_document_does_not(upstream):
    answer = {
        "data": {"UserContentGroups": [], "item0": None, "item1": {"percentComplete": 40}},
        "errors": [
            {"message": "No such course.", "path": ["item0"], "extensions": {"code": "NOT_FOUND"}}
        ],
    }
    fake = upstream(answer_with(answer))
    with portal_app(fake.url).test_request_context("/"):
        data, answers = api.run_with_batch(
            "DashboardPage", "UserCourseProgress", [{"id": "gone"}, {"id": "c2"}], **DASHBOARD
        )
    assert data == {"UserContentGroups": []}
    assert answers == [None, {"percentComplete": 40}]
    body = fake.hits[0].body
    assert body["operationName"] == "DashboardPage"
    assert body["variables"]["id_0"] == "gone" and body["variables"]["id_1"] == "c2"
    assert "item1: UserCourseProgress(id: $id_1)" in body["query"]
    # An error of the page document's own fields still fails the call.
    answer["errors"][0]["path"] = ["UserContentGroups"]
    fake = upstream(answer_with(answer))
    with portal_app(fake.url).test_request_context("/"):
        with pytest.raises(errors.NotFound) as raised:
            api.run_with_batch("DashboardPage", "UserCourseProgress", [{"id": "c"}], **DASHBOARD)
    assert api.split_batch(raised.value.data, 1)[1] == [None]


def test_the_environments_proxy_is_used(upstream, monkeypatch):
    # The proxy settings are read once per transport: this one is new (its own thread and URL).
    proxy = upstream(answer_with({"data": {"CurrentUser": {"id": "1"}}}))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    app = portal_app("http://instance.invalid")

    def call():
        with app.test_request_context("/"):
            return api.run_anonymous("CurrentUser")

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(call).result() == {"CurrentUser": {"id": "1"}}
    assert len(proxy.hits) == 1


def test_passwords_and_tokens_stay_out_of_debug_logs(upstream, caplog):
    fake = upstream(answer_with({"data": {"Login": "secret-token"}}))
    caplog.set_level(logging.DEBUG)
    with portal_app(fake.url).test_request_context("/"):
        api.run_anonymous("Login", email="ada@example.com", password="pa55word")
    assert "pa55word" not in caplog.text
    assert "secret-token" not in caplog.text


# --- instance data cache -------------------------------------------------------------------------


def test_instance_data_is_fetched_once_and_cached_per_instance(upstream):
    answer = {
        "data": {
            "CompanyDetails": {"name": "Northwind"},
            "Languages": [],
            "CompanyTranslations": [],
            "TermsAndConditions": {"globalTerms": ""},
        }
    }
    first, second = upstream(answer_with(answer)), upstream(answer_with(answer))
    app = portal_app(first.url)
    other = portal_app(second.url)
    for _ in range(3):
        with app.test_request_context("/"):
            assert instance_data()["CompanyDetails"]["name"] == "Northwind"
    with other.test_request_context("/"):
        instance_data()
    assert len(first.hits) == 1
    assert len(second.hits) == 1


def test_instance_data_failures_are_not_cached(upstream):
    answers = iter([Response("down", 502), graphql_answer({"data": {"Languages": []}})])
    fake = upstream(lambda request: next(answers))
    app = portal_app(fake.url)
    with app.test_request_context("/"), pytest.raises(errors.Unavailable):
        instance_data()
    with app.test_request_context("/"):
        assert instance_data() == {"Languages": []}


def test_instance_data_expires_after_instance_cache_seconds(upstream):
    fake = upstream(answer_with({"data": {"Languages": []}}))
    app = portal_app(fake.url, INSTANCE_CACHE_SECONDS=1)
    with app.test_request_context("/"):
        instance_data()
    time.sleep(1.1)
    with app.test_request_context("/"):
        instance_data()
    assert len(fake.hits) == 2


def test_each_worker_holds_instance_data_between_reads_of_the_shared_cache(upstream):
    fake = upstream(answer_with({"data": {"Languages": []}}))
    app = portal_app(fake.url, INSTANCE_WORKER_SECONDS=60)
    with app.test_request_context("/"):
        instance_data()
        cache.clear()  # the shared cache lost it: this worker still has its copy
        assert instance_data() == {"Languages": []}
    assert len(fake.hits) == 1
    app.config["INSTANCE_WORKER_SECONDS"] = 0
    with app.test_request_context("/"):
        forget_instance_data()
        instance_data()
        instance_data()  # held for no time: from the shared cache, not upstream
    assert len(fake.hits) == 2


def test_cache_config_uses_redis_when_redis_url_is_set():
    assert cache_config(None)["CACHE_TYPE"] == "SimpleCache"
    shared = cache_config("redis://cache.internal:6379/0")
    assert shared["CACHE_TYPE"] == "RedisCache"
    assert shared["CACHE_REDIS_URL"] == "redis://cache.internal:6379/0"


# --- against the sandbox ---------------------------------------------------------------------


@pytest.fixture
def bare_sandbox(tmp_path):
    """A sandbox without demo data, for learners a test creates itself."""
    from portal.sandbox import create_sandbox_app

    app = create_sandbox_app(tmp_path / "sandbox", api_key=API_KEY)
    server = start(app)
    yield SimpleNamespace(url=server.url, store=app.extensions["sandbox"].store)
    server.stop()


def create_learners(store, count: int) -> list[tuple[str, str]]:
    """count learners with PASSWORD, inserted in the store; (id, email) of each."""
    from portal.sandbox.demo import hash_password
    from portal.sandbox.store import new_id, now

    password_hash = hash_password(PASSWORD)
    learners = []
    for index in range(count):
        user_id, email = new_id(), f"learner{index}@example.com"
        store.insert(
            "users",
            id=user_id,
            email=email,
            first_name=f"Learner{index}",
            last_name="Thread",
            password_hash=password_hash,
            created_at=now(),
            updated_at=now(),
        )
        learners.append((user_id, email))
    return learners


def test_sixteen_learners_in_sixteen_threads_each_get_only_their_own_answers(bare_sandbox):
    learners = create_learners(bare_sandbox.store, 16)
    app = portal_app(bare_sandbox.url, TI_READ_TIMEOUT=10)
    start_together = threading.Barrier(len(learners))

    def learner_session(learner) -> list[str]:
        user_id, email = learner
        with app.test_request_context("/login", method="POST"):
            token = api.run_anonymous("Login", email=email, password=PASSWORD)["Login"]
            seen = [api.run_as(token, "CurrentUser")["CurrentUser"]["id"]]
        start_together.wait(timeout=30)
        for _ in range(10):
            with app.test_request_context("/home"):
                session["ti_token"] = token
                seen.append(api.run("CurrentUser")["CurrentUser"]["id"])
                seen.append(api.run_as(token, "CurrentUser")["CurrentUser"]["id"])
        return [found for found in seen if found != user_id]

    with ThreadPoolExecutor(max_workers=len(learners)) as pool:
        strangers = list(pool.map(learner_session, learners))
    assert strangers == [[] for _ in learners]


def test_sandbox_wrong_password_is_bad_credentials(bare_sandbox):
    ((_, email),) = create_learners(bare_sandbox.store, 1)
    with portal_app(bare_sandbox.url).test_request_context("/"):
        with pytest.raises(errors.BadCredentials):
            api.run_anonymous("Login", email=email, password="not-the-password")
        with pytest.raises(errors.BadCredentials):
            api.run_anonymous("Login", email="nobody@example.com", password=PASSWORD)


def test_sandbox_token_revoked_by_logout_is_token_expired(bare_sandbox):
    ((_, email),) = create_learners(bare_sandbox.store, 1)
    with portal_app(bare_sandbox.url).test_request_context("/"):
        token = api.run_anonymous("Login", email=email, password=PASSWORD)["Login"]
        assert api.run_as(token, "Logout") == {"Logout": True}
        with pytest.raises(errors.TokenExpired):
            api.run_as(token, "CurrentUser")
        with pytest.raises(errors.TokenExpired):
            api.run_as("made-up-token", "CurrentUser")


def test_sandbox_wrong_api_key_is_unavailable(bare_sandbox):
    app = portal_app(bare_sandbox.url, TI_API_KEY="wrong-key")
    with app.test_request_context("/"), pytest.raises(errors.Unavailable):
        api.run_anonymous("InstanceData")


def test_sandbox_instance_data_has_the_demo_company(sandbox):
    with portal_app(sandbox.url, TI_API_KEY=sandbox.api_key).test_request_context("/"):
        data = instance_data()
    assert data["CompanyDetails"]["name"] == "Northwind Academy"
    assert {language["code"] for language in data["Languages"]} >= {"en"}
    assert data["CompanyTranslations"] and all(
        entry["lang"] and entry["translations"] for entry in data["CompanyTranslations"]
    )
    assert data["TermsAndConditions"]["globalTerms"]
