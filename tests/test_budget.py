"""Living within the instance's API budget: readiness checks shared, a fair share of pages for
each learner and address with a 429 page saying when to come back, the reserve that keeps
signing in working, pages from kept answers when the budget runs low, and the instance's 429."""

from __future__ import annotations

import io
import json
import re
import threading
import time

import pytest

from portal.api.budget import LocalWindow
from portal.sandbox.demo import DEMO_LOGINS
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


class Upstream:
    """What the sandbox was asked and what it answered: (operation names, HTTP status)."""

    def __init__(self, sandbox):
        self.calls: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        inner = sandbox.app.wsgi_app

        def recording(environ, start_response):
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size) if size else b""
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                name = json.loads(body or b"{}").get("operationName")
            except (ValueError, AttributeError):
                name = None

            def start(status, headers, *args):
                with self._lock:
                    self.calls.append((name, int(status.split()[0])))
                return start_response(status, headers, *args)

            return inner(environ, start)

        sandbox.app.wsgi_app = recording

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def statuses(self) -> set[int]:
        return {status for _, status in self.calls}


def make_app(sandbox, portal_config, **settings):
    from portal import create_app

    return create_app(portal_config(sandbox.url, **settings))


def sign_in(client, who: str):
    email, password = DEMO_LOGINS[who]
    token = csrf_from(text(client.get("/login")))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# -- /readyz -----------------------------------------------------------------------------------


def test_readyz_asks_the_instance_once_a_window_whoever_asks(sandbox, portal_config):
    upstream = Upstream(sandbox)
    app = make_app(sandbox, portal_config, READY_CHECK_SECONDS=2)
    answers = [from_address(app, f"10.0.0.{n % 50}").get("/readyz") for n in range(80)]
    assert {answer.status_code for answer in answers} == {200}
    assert upstream.names().count("Ping") == 1
    # Its answer is kept for the window only: past it, the instance is asked again.
    time.sleep(2.1)
    assert app.test_client().get("/readyz").status_code == 200
    assert upstream.names().count("Ping") == 2


def test_concurrent_readiness_checks_share_one_ping(sandbox, portal_config):
    upstream = Upstream(sandbox)
    app = make_app(sandbox, portal_config)
    statuses: list[int] = []

    def check():
        statuses.append(app.test_client().get("/readyz").status_code)

    threads = [threading.Thread(target=check) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 16
    assert upstream.names().count("Ping") == 1


# -- a fair share of pages ---------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_learner_past_their_share_gets_a_429_saying_when_to_come_back(
    sandbox, portal_config, headers
):
    app = make_app(sandbox, portal_config, RATELIMIT_PAGES="5 per minute")
    laptop, phone = from_address(app, "10.0.0.1"), from_address(app, "10.0.0.2")
    sign_in(laptop, "busy")  # counted for each address, before the learner is known
    sign_in(phone, "busy")
    # Signed in, every page of theirs, on any device, counts against the learner's share.
    assert [laptop.get("/dashboard").status_code for _ in range(3)] == [200] * 3
    assert [phone.get("/badges").status_code for _ in range(2)] == [200] * 2
    refused = laptop.get("/dashboard", headers=headers)
    assert refused.status_code == 429
    seconds = int(refused.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"Please try again in {seconds} seconds." in text(refused)
    assert ("<html" in text(refused)) is not bool(headers)
    # Another learner, and the static files, probes and stylesheet, are not in that share.
    other = from_address(app, "10.0.0.1")
    assert sign_in(other, "new").status_code == 303
    assert other.get("/dashboard").status_code == 200
    for path in ("/healthz", "/readyz", "/brand.css", "/static/css/portal.css"):
        answer = laptop.get(path)
        answer.close()
        assert answer.status_code == 200, path


def test_an_address_not_signed_in_has_its_own_share(sandbox, portal_config):
    app = make_app(sandbox, portal_config, RATELIMIT_PAGES="3 per minute")
    crowd = from_address(app, "10.0.0.7")
    assert [crowd.get("/terms").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert from_address(app, "10.0.0.8").get("/terms").status_code == 200


# -- the budget --------------------------------------------------------------------------------


def test_a_window_says_when_enough_points_come_back():
    window = LocalWindow(62)
    assert window.spend(40, 100, 1000.0) is None
    assert window.spend(40, 100, 1010.0) is None
    assert window.spend(30, 100, 1020.0) == 42  # the first 40 leave the window at 1062
    assert window.spend(20, 100, 1020.0) is None
    assert window.spend(1, 100, 1062.0) is None  # they left: 60 spent, 40 free
    window.block(1100.0)
    assert window.spend(1, 100, 1070.0) == 30
    assert window.spend(1, 100, 1070.0, blocked=False) is None


BUSY = "Many learners are using the learning service right now"


def spend_budget(client, upstream, count=40):
    """New searches (nothing kept for them) until the budget refuses one, then one-point
    pages until it refuses those too: the first refused search."""
    refused = None
    for number in range(count):
        asked = len(upstream.calls)
        answer = client.get(f"/catalog?query=word{number}")
        if len(upstream.calls) == asked and BUSY in text(answer):
            refused = answer
            break
    assert refused is not None, "the budget never ran out"
    for number in range(count):
        asked = len(upstream.calls)
        client.get(f"/badges/learning-paths/path-{number}")
        if len(upstream.calls) == asked:
            return refused
    pytest.fail("the budget never ran out for one-point calls")


def test_when_the_budget_runs_low_pages_come_from_kept_answers_and_sign_in_still_works(
    sandbox, portal_config
):
    upstream = Upstream(sandbox)
    # 100 points a minute: 2 kept back, 20 reserved for signing in, pages kept from 58 on.
    app = make_app(sandbox, portal_config, TI_POINTS_PER_MINUTE=100, TI_BUDGET_WAIT=0)
    busy = app.test_client()
    sign_in(busy, "busy")
    for _ in range(2):  # the second asks for the percents of the started courses along
        assert busy.get("/dashboard").status_code == 200
    refused = spend_budget(busy, upstream)
    assert f"{BUSY}. Please try again in" in text(refused) or BUSY in text(refused)
    # A new page alone is refused, with when to come back.
    page = busy.get("/badges")
    assert page.status_code == 429 or BUSY in text(page)
    # The dashboard the learner already had comes from what the portal kept: no call.
    asked = len(upstream.calls)
    again = busy.get("/dashboard")
    assert again.status_code == 200 and len(upstream.calls) == asked
    assert "Continue where you left off" in text(again) and BUSY not in text(again)
    # Signing in is served from the reserve: another learner gets in.
    assert sign_in(app.test_client(), "new").status_code == 303
    assert 429 not in upstream.statuses()


def test_a_page_refused_for_the_budget_says_when_to_come_back(sandbox, portal_config):
    upstream = Upstream(sandbox)
    app = make_app(sandbox, portal_config, TI_POINTS_PER_MINUTE=100, TI_BUDGET_WAIT=0)
    busy = app.test_client()
    sign_in(busy, "busy")
    spend_budget(busy, upstream)
    for headers in ({}, HX):
        refused = busy.get("/certificates/unknown-certificate-id", headers=headers)
        assert refused.status_code == 429
        seconds = int(refused.headers["Retry-After"])
        assert f"{BUSY}, and the portal keeps its share for them." in text(refused)
        assert f"Please try again in {seconds} seconds." in text(refused)


def test_a_form_refused_for_the_budget_keeps_what_was_typed(sandbox, portal_config):
    upstream = Upstream(sandbox)
    app = make_app(sandbox, portal_config, TI_POINTS_PER_MINUTE=100, TI_BUDGET_WAIT=0)
    busy = app.test_client()
    sign_in(busy, "busy")
    page = text(busy.get("/account/codes"))
    spend_budget(busy, upstream)
    data = {"kind": "redemption", "code": "TYPED-CODE", "csrf_token": csrf_from(page)}
    for headers in ({}, HX):
        refused = busy.post("/account/codes", data=data, headers=headers)
        assert refused.status_code == 429
        assert 'value="TYPED-CODE"' in text(refused)
        assert "Please send it again in" in text(refused)


def test_after_the_instances_429_nothing_is_sent_before_its_retry_after(sandbox, portal_config):
    upstream = Upstream(sandbox)
    app = make_app(sandbox, portal_config)
    busy = app.test_client()
    sign_in(busy, "busy")
    sandbox.app.extensions["sandbox"].points_per_minute = 0  # someone else spent it all
    busy.get("/badges")
    assert 429 in upstream.statuses()
    asked = len(upstream.calls)
    sandbox.app.extensions["sandbox"].points_per_minute = 10_000
    for path in ("/certificates", "/catalog", "/certificates/new"):
        busy.get(path)
    assert len(upstream.calls) == asked  # the instance's word is kept, without asking
    assert sign_in(app.test_client(), "new").status_code == 303  # signing in tries anyway


# -- the acceptance: floods and storms leave a sign-in working ---------------------------------


def test_readyz_floods_and_a_page_storm_leave_another_learners_sign_in_working(
    sandbox, portal_config
):
    upstream = Upstream(sandbox)
    sandbox.app.extensions["sandbox"].points_per_minute = 150  # a small instance
    app = make_app(
        sandbox,
        portal_config,
        TI_POINTS_PER_MINUTE=150,
        RATELIMIT_PAGES="30 per minute",
        TI_BUDGET_WAIT=0,
    )
    storm = from_address(app, "10.0.1.1")
    sign_in(storm, "busy")
    flood: list[int] = []

    def ready_flood():
        for number in range(120):
            flood.append(from_address(app, f"10.0.2.{number % 40}").get("/readyz").status_code)

    flooding = threading.Thread(target=ready_flood)
    began = time.monotonic()
    flooding.start()
    try:
        pages = [storm.get(path) for path in ["/dashboard", "/badges", "/certificates"] * 12]
        signed_in = sign_in(from_address(app, "10.0.1.2"), "new")
    finally:
        flooding.join()
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/dashboard"
    statuses = [page.status_code for page in pages]
    assert set(statuses) <= {200, 429} and 429 in statuses
    limited = pages[-1]
    seconds = int(limited.headers["Retry-After"])
    assert 1 <= seconds <= 60 and f"Please try again in {seconds} seconds." in text(limited)
    assert len(flood) == 120 and set(flood) == {200}
    # One readiness check upstream a window (5 s), however many callers.
    assert upstream.names().count("Ping") <= (time.monotonic() - began) // 5 + 1
    assert 429 not in upstream.statuses(), upstream.calls



def metric(app, name: str, **labels) -> float:
    """A value of /metrics (the test client reads it from 127.0.0.1, an allowed address)."""
    body = app.test_client().get("/metrics").get_data(as_text=True)
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    found = re.search(rf"^{name}\{{{wanted}\}} (\S+)$", body, re.M)
    return float(found.group(1)) if found else 0.0


def test_refusals_and_refused_sign_ins_are_counted(sandbox, portal_config):
    upstream = Upstream(sandbox)
    app = make_app(sandbox, portal_config, TI_POINTS_PER_MINUTE=100, TI_BUDGET_WAIT=0,
                   RATELIMIT_PAGES="4 per minute")  # fmt: skip
    refusals = metric(app, "portal_api_budget_refusals_total", priority="page")
    limited = metric(app, "portal_sign_ins_total", result="rate_limited")
    busy = app.test_client()
    sign_in(busy, "busy")
    app.config["RATELIMIT_PAGES"] = "1000 per minute"
    spend_budget(busy, upstream)
    assert metric(app, "portal_api_budget_refusals_total", priority="page") > refusals
    # An address past its share of pages: the sign-in it sends is refused, and counted so.
    app.config["RATELIMIT_PAGES"] = "2 per minute"
    crowd = from_address(app, "10.0.3.1")
    crowd.get("/login")
    token = csrf_from(text(crowd.get("/login")))
    email, password = DEMO_LOGINS["new"]
    refused = crowd.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert refused.status_code == 429
    assert metric(app, "portal_sign_ins_total", result="rate_limited") == limited + 1


def test_pages_need_no_fresh_instance_data_while_the_budget_is_spent(sandbox, portal_config):
    from portal.api.cache import cache, instance_key

    upstream = Upstream(sandbox)
    app = make_app(sandbox, portal_config, TI_POINTS_PER_MINUTE=100, TI_BUDGET_WAIT=0,
                   INSTANCE_WORKER_SECONDS=0)  # fmt: skip
    busy = app.test_client()
    sign_in(busy, "busy")
    spend_budget(busy, upstream)
    with app.app_context():
        cache.delete(instance_key())  # its five minutes are over
    asked = len(upstream.calls)
    page = app.test_client().get("/terms")  # branding, languages, terms: the last known
    assert page.status_code == 200 and "Northwind Academy" in text(page)
    assert "Course materials may not be redistributed" in text(page)
    assert len(upstream.calls) == asked


def test_a_query_with_a_kept_answer_counts_its_points_once(sandbox, portal_config):
    app = make_app(sandbox, portal_config, TI_POINTS_PER_MINUTE=1000, TI_BUDGET_WAIT=0)
    budget = app.extensions["api_budget"]
    busy = app.test_client()
    sign_in(busy, "busy")

    def cost() -> int:
        before = budget.spent()
        assert busy.get("/dashboard").status_code == 200
        return budget.spent() - before

    cost()  # the first asks for the started courses' percents along: the next ones do too
    nothing_kept = cost()
    while budget.spent() < budget.keep_from + nothing_kept:  # answers kept from here on
        cost()
    assert budget.spent() < budget.low_ceiling - nothing_kept
    assert cost() == nothing_kept  # sent, its answer kept before: counted once
