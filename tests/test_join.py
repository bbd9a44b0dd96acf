"""Joining with a registration code: the form, its code check, every refusal, the rate limit,
and that nobody without a valid code learns whether an email has an account."""

from __future__ import annotations

import difflib
import re
import statistics
import time

import pytest
import requests

from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS

HX = {"HX-Request": "true"}
CODES = DEMO_CODES["registration"]
NEW_EMAIL = "zoe.new@example.com"


@pytest.fixture
def join_app(sandbox, portal_config):
    from portal import create_app
    from portal.api.cache import cache

    def make(**overrides):
        config = {
            "PORTAL_REGISTRATION": True,
            "RATELIMIT_LOGIN": "1000 per minute",
            "RATELIMIT_CODE_CHECKS": "1000 per minute",
            "RATELIMIT_PAGES": "1000 per minute",
            **overrides,
        }
        return create_app(portal_config(sandbox.url, **config))

    made = make()
    yield made
    with made.app_context():
        cache.clear()


@pytest.fixture
def joiner(join_app):
    return join_app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def token(client, path="/join") -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(client.get(path))).group(1)


def form(client, **fields) -> dict:
    data = {
        "code": CODES["valid"],
        "first_name": "Zoe",
        "last_name": "Newman",
        "email": NEW_EMAIL,
        "accept_terms": "y",
        "csrf_token": token(client),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def field_error(page: str, field: str) -> str | None:
    found = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else None


def test_login_links_join_and_the_instance_reset_page(joiner, sandbox):
    page = text(joiner.get("/login"))
    assert 'href="/join"' in page
    assert f'href="{sandbox.url}/forgot-password"' in page
    assert "Forgot your password?" in page


def test_join_is_closed_unless_the_instance_hands_out_codes(client):
    assert 'href="/join"' not in text(client.get("/login"))
    assert client.get("/join").status_code == 404


def test_join_page_links_the_terms_shown_in_full(joiner):
    page = text(joiner.get("/join?code=JOIN-NORTHWIND"))
    assert 'value="JOIN-NORTHWIND"' in page
    assert 'href="/join/terms"' in page and 'aria-describedby="terms-link"' in page
    terms = joiner.get("/join/terms")
    assert terms.status_code == 200
    assert "Course materials may not be redistributed" in text(terms)
    assert '<a href="/join">Back to joining</a>' in text(terms)


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ("valid", 200, "This code is valid."),
        ("used", 422, "This code has already been used."),
        ("expired", 422, "This code has expired."),
        ("invalid", 422, "We do not know this code."),
    ],
)
def test_code_is_checked_as_it_is_typed(joiner, state, status, message):
    code = CODES.get(state, "NO-SUCH-CODE")
    data = form(joiner, code=code, first_name="Typed")
    fragment = joiner.post("/join/code", data=data, headers=HX)
    assert fragment.status_code == status
    assert message in text(fragment)
    assert "<html" not in text(fragment) and "HX-Request" in fragment.headers["Vary"]
    # Without JavaScript the same check answers with the whole form, nothing typed lost.
    page = joiner.post("/join/code", data=form(joiner, code=code, first_name="Typed"))
    assert page.status_code == status
    assert message in text(page) and 'value="Typed"' in text(page) and "<html" in text(page)


def sign_in(client, email: str, password: str):
    data = {"email": email, "password": password, "csrf_token": token(client, "/login")}
    return client.post("/login", data=data)


def test_joining_creates_the_learner_mails_them_and_uses_the_code_at_registration(
    joiner, sandbox
):
    store = sandbox.store
    uses = store.scalar("SELECT uses FROM codes WHERE code = ?", CODES["valid"])
    response = joiner.post("/join", data=form(joiner))
    assert response.status_code == 303
    assert response.headers["Location"] == "/join/check-your-email"
    # The code's use is counted now, not at a first sign-in that may never come.
    assert store.scalar("SELECT uses FROM codes WHERE code = ?", CODES["valid"]) == uses + 1
    done = text(joiner.get("/join/check-your-email"))
    assert NEW_EMAIL in done and "choose your password" in done
    user = store.one("SELECT * FROM users WHERE email = ?", NEW_EMAIL)
    assert user["first_name"] == "Zoe" and user["password_hash"] is None
    link = store.scalar("SELECT link FROM outbox WHERE to_email = ?", NEW_EMAIL)
    assert link.startswith(sandbox.url + "/set-password/")
    saved = requests.post(link, data={"password": "zoe-secret-1", "confirm": "zoe-secret-1"})
    assert saved.status_code == 200
    assert sign_in(joiner, NEW_EMAIL, "zoe-secret-1").status_code == 303
    dashboard = text(joiner.get("/dashboard"))
    assert "SQL from Zero" in dashboard
    assert f"Your registration code {CODES['valid']} was redeemed." in dashboard
    user = store.one("SELECT * FROM users WHERE email = ?", NEW_EMAIL)
    license_client = store.scalar(
        "SELECT client_id FROM licenses WHERE id = ?", user["active_license_id"]
    )
    assert user["client_id"] == license_client
    # Signing in again redeems nothing more.
    joiner.post("/logout", data={"csrf_token": token(joiner, "/dashboard")})
    sign_in(joiner, NEW_EMAIL, "zoe-secret-1")
    assert "was redeemed" not in text(joiner.get("/dashboard"))
    assert store.scalar("SELECT uses FROM codes WHERE code = ?", CODES["valid"]) == uses + 1


def test_a_code_used_up_by_registrations_refuses_the_next_one(joiner, sandbox):
    store = sandbox.store
    code = store.one("SELECT * FROM codes WHERE code = ?", CODES["valid"])
    limit = code["max_uses"]
    assert limit == 50 and code["uses"] == 0
    for number in range(limit):
        response = joiner.post("/join", data=form(joiner, email=f"joiner{number}@example.com"))
        assert response.status_code == 303, number
    late = joiner.post("/join", data=form(joiner, email="late@example.com", first_name="Kept"))
    assert late.status_code == 422
    assert field_error(text(late), "code") == (
        "This code has already been used. Ask whoever gave it to you for a new one."
    )
    assert 'value="Kept"' in text(late)
    assert store.scalar("SELECT uses FROM codes WHERE code = ?", CODES["valid"]) == limit
    assert store.one("SELECT * FROM users WHERE email = ?", "late@example.com") is None
    # The same for htmx.
    late = joiner.post("/join", data=form(joiner, email="later@example.com"), headers=HX)
    assert late.status_code == 422 and "has already been used" in text(late)


def _check_page(client, email: str) -> str:
    body = text(client.get("/join/check-your-email")).replace(email, "EMAIL")
    body = re.sub(r'nonce="[^"]+"', 'nonce="N"', body)
    return re.sub(r'(csrf_token"[^>]*value=|"X-CSRFToken": )"[^"]+"', r'\1"T"', body)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_registered_email_with_a_valid_code_gets_the_answer_of_a_new_one(
    joiner, sandbox, headers
):
    store = sandbox.store
    registered = DEMO_LOGINS["new"][0]
    users = store.scalar("SELECT COUNT(*) FROM users")
    answers, timings = {}, {"registered": [], "new": []}
    for round_ in range(6):
        for who, email in (("registered", registered), ("new", f"fresh{round_}@example.com")):
            data = form(joiner, email=email)
            started = time.perf_counter()
            response = joiner.post("/join", data=data, headers=headers)
            timings[who].append(time.perf_counter() - started)
            answers[who] = (response.status_code, response.headers.get("Location"),
                            text(response), _check_page(joiner, email))  # fmt: skip
    assert answers["registered"] == answers["new"]
    assert answers["registered"][:2] == (303, "/join/check-your-email")
    gap = abs(statistics.median(timings["registered"]) - statistics.median(timings["new"]))
    assert gap < 0.05, timings
    # The six new addresses have accounts, the registered one is untouched and its code unused.
    assert store.scalar("SELECT COUNT(*) FROM users") == users + 6
    assert store.scalar("SELECT uses FROM codes WHERE code = ?", CODES["valid"]) == 6
    # Its owner is told, a few times an hour at most, with the ways back in: from the
    # sandbox's own address.
    notices = store.query(
        "SELECT * FROM outbox WHERE to_email = ? ORDER BY sent_at", registered
    )
    assert len(notices) == 3  # six tries, three mails
    body = notices[0]["body"]
    assert "already has an account" in body
    assert f"{sandbox.url}/sign-in" in body and f"{sandbox.url}/forgot-password" in body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": CODES["used"]}, "code", "This code has already been used."),
        ({"code": CODES["expired"]}, "code", "This code has expired."),
        ({"code": "NO-SUCH-CODE"}, "code", "We do not know this code."),
        ({"code": ""}, "code", "Enter the registration code you were given."),
        ({"email": "not-an-address"}, "email", "Enter an email address like"),
        ({"first_name": ""}, "first_name", "Enter your first name."),
        ({"accept_terms": None}, "accept_terms", "Accept the terms and conditions to join."),
    ],
)
def test_every_refusal_names_its_field_and_keeps_what_was_typed(
    joiner, sandbox, fields, field, message
):
    data = form(joiner, **fields)
    users = sandbox.store.query("SELECT * FROM users ORDER BY id")
    response = joiner.post("/join", data=data)
    page = text(response)
    assert response.status_code == 422
    assert message in (field_error(page, field) or "")
    for name in ("code", "first_name", "last_name", "email"):
        if data.get(name):
            assert f'value="{data[name]}"' in page, name
    if data.get("accept_terms"):
        checkbox = re.search(r'<input[^>]*name="accept_terms"[^>]*>', page).group(0)
        assert "checked" in checkbox
    # Nothing was created or changed (the taken address is an existing learner's).
    assert sandbox.store.query("SELECT * FROM users ORDER BY id") == users


def test_registered_and_unregistered_emails_get_the_same_answer_without_a_valid_code(joiner):
    registered = DEMO_LOGINS["busy"][0]
    answers = {registered: [], NEW_EMAIL: []}
    timings = {registered: [], NEW_EMAIL: []}
    for _ in range(20):
        for email in answers:
            data = form(joiner, code=CODES["used"], email=email)
            started = time.perf_counter()
            response = joiner.post("/join", data=data)
            timings[email].append(time.perf_counter() - started)
            body = text(response).replace(email, "EMAIL")
            # Tokens and nonces differ on every answer, whoever asks.
            body = re.sub(r'nonce="[^"]+"', 'nonce="N"', body)
            body = re.sub(r'(csrf_token"[^>]*value=|"X-CSRFToken": )"[^"]+"', r'\1"T"', body)
            answers[email].append((response.status_code, body))
    assert {status for status, _ in answers[registered]} == {422}
    for mine, other in zip(answers[registered], answers[NEW_EMAIL], strict=True):
        if mine != other:  # name the lines that differ
            lines = difflib.unified_diff(mine[1].splitlines(), other[1].splitlines(), n=0)
            pytest.fail("answers differ:\n" + "\n".join(list(lines)[:12]))
    gap = abs(statistics.median(timings[registered]) - statistics.median(timings[NEW_EMAIL]))
    assert gap < 0.05, timings


def test_joining_is_rate_limited_like_login_and_keeps_the_form(sandbox, portal_config):
    from portal import create_app

    app = create_app(
        portal_config(sandbox.url, PORTAL_REGISTRATION=True, RATELIMIT_LOGIN="3 per minute")
    )
    client = app.test_client()
    for _ in range(3):
        assert client.post("/join", data=form(client, code="NO-SUCH-CODE")).status_code == 422
    limited = client.post("/join", data=form(client, code="NO-SUCH-CODE", first_name="Kept"))
    assert limited.status_code == 429
    seconds = int(limited.headers["Retry-After"])  # the limit's own reset, said on the page
    assert 0 < seconds <= 60
    assert f"Too many attempts. Please wait {seconds} seconds" in text(limited)
    assert 'value="Kept"' in text(limited)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_code_checks_are_rate_limited_with_the_real_time_to_wait(
    sandbox, portal_config, headers
):
    from portal import create_app

    app = create_app(
        portal_config(sandbox.url, PORTAL_REGISTRATION=True, RATELIMIT_CODE_CHECKS="3 per minute")
    )
    client = app.test_client()
    for _ in range(2):
        client.post("/join/code", data=form(client, code="NO-SUCH-CODE"), headers=HX)
    # A registration checks its code too: the same share.
    client.post("/join", data=form(client, code="NO-SUCH-CODE"), headers=headers)
    for path in ("/join/code", "/join"):
        limited = client.post(path, data=form(client, code="NO-SUCH-CODE", first_name="Kept"),
                              headers=headers)  # fmt: skip
        assert limited.status_code == 429
        seconds = int(limited.headers["Retry-After"])
        assert 1 <= seconds <= 60
        assert f"Please wait {seconds} seconds, then try again." in text(limited), path
        assert "You checked many codes in a short time" in text(limited)
    assert 'value="Kept"' in text(limited)


def test_an_upstream_outage_keeps_what_was_typed(sandbox, portal_config):
    from portal import create_app

    app = create_app(portal_config(sandbox.url, PORTAL_REGISTRATION=True))
    client = app.test_client()
    data = form(client, first_name="Outage")
    sandbox.server.stop()
    response = client.post("/join", data=data)
    assert response.status_code == 503
    assert 'value="Outage"' in text(response) and "cannot be reached" in text(response)
