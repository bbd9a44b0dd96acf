"""The instance's JWT single sign-on as the sandbox plays it: a token signed with the shared
secret signs the learner in on its pages once; a replayed, stale, changed or foreign token, or one
leading elsewhere, signs nobody in and says why; its sign-in and sign-out lead to the identity
provider when its settings name one; the token never reaches its access log."""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid

import jwt
import pytest
import requests

from portal.sandbox.site import sso

LOGIN_URL = "https://portal.example.com/sso/login?returnTo={{returnTo}}&from=TI"


def token(sandbox, secret=None, algorithm="HS256", **claims) -> str:
    values = {
        "iat": int(time.time()),
        "jti": uuid.uuid4().hex,
        "email": "avery@example.com",
        "firstName": "Avery",
        "lastName": "Johnson",
        "returnTo": "/learn/beginner-course",
        **claims,
    }
    values = {key: value for key, value in values.items() if value is not None}
    key = secret or sandbox.app.extensions["sandbox"].sso_secret
    return jwt.encode(values, key, algorithm=algorithm)


def hand_over(sandbox, signed: str, browser=None) -> requests.Response:
    return (browser or requests).get(
        f"{sandbox.url}/access/jwt", params={"jwt": signed}, allow_redirects=False, timeout=10
    )


def signed_in_as(sandbox, answer: requests.Response) -> str | None:
    """The email of the learner whose instance pages the answer's cookie opens, or None."""
    cookie = answer.cookies.get("ti_session")
    if not cookie:
        return None
    page = requests.get(f"{sandbox.url}/dashboard", cookies={"ti_session": cookie}, timeout=10)
    if "My learning" not in page.text:
        return None
    return sandbox.store.scalar(
        "SELECT email FROM users JOIN site_sessions ON site_sessions.user_id = users.id"
    )


def test_a_valid_token_signs_the_learner_in_on_the_page_it_names(gql_sandbox):
    answer = hand_over(gql_sandbox, token(gql_sandbox))
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/learn/beginner-course"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"
    assert signed_in_as(gql_sandbox, answer) == "avery@example.com"
    # A POSTed token (what TI advises identity providers to prefer) is taken the same way.
    posted = requests.post(
        f"{gql_sandbox.url}/access/jwt",
        data={"jwt": token(gql_sandbox)},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 303 and posted.cookies.get("ti_session")


def refused(sandbox, answer: requests.Response, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    assert "We could not sign you in" in answer.text and words in answer.text
    assert "ti_session" not in answer.cookies
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert sandbox.count("site_sessions") == 0


def test_a_replayed_token_signs_nobody_in(gql_sandbox):
    signed = token(gql_sandbox)
    first = hand_over(gql_sandbox, signed)
    assert first.status_code == 303
    gql_sandbox.store.execute("DELETE FROM site_sessions")
    refused(gql_sandbox, hand_over(gql_sandbox, signed), 400, "already used")


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"iat": -600}, "expired"),  # seconds from now, when the test runs
        ({"iat": 600}, "expired"),
        ({"exp": -5}, "expired"),
        ({"iat": "yesterday"}, "not valid"),
        ({"jti": None}, "not valid"),
        ({"email": None}, "not valid"),
        ({"returnTo": "//evil.example/x"}, "outside this site"),
        ({"returnTo": "https://evil.example/learn/x"}, "outside this site"),
        ({"returnTo": "/\\evil.example"}, "outside this site"),
        ({"returnTo": "javascript:alert(1)"}, "outside this site"),
    ],
    ids=["old", "future", "expired", "odd-iat", "no-jti", "no-email", "protocol-relative",
         "other-host", "backslash", "scheme"],  # fmt: skip
)
def test_a_stale_incomplete_or_outward_token_signs_nobody_in(gql_sandbox, claims, words):
    now = int(time.time())
    claims = {key: now + value if key in ("iat", "exp") and isinstance(value, int) else value
              for key, value in claims.items()}  # fmt: skip
    refused(gql_sandbox, hand_over(gql_sandbox, token(gql_sandbox, **claims)), 400, words)


def test_a_changed_claim_another_secret_or_no_signature_signs_nobody_in(gql_sandbox):
    header, payload, signature = token(gql_sandbox).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["email"] = "noah@example.com"
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    none = jwt.encode({**claims, "jti": "x"}, None, algorithm="none")
    for forged in (
        f"{header}.{changed}.{signature}",
        token(gql_sandbox, secret="another-secret-of-thirty-two-bytes!"),
        none,
        "not-a-token",
    ):
        refused(gql_sandbox, hand_over(gql_sandbox, forged), 400, "not valid")
    assert gql_sandbox.count("sso_used_tokens") == 0


def test_its_own_address_is_a_page_of_its_own(gql_sandbox):
    answer = hand_over(gql_sandbox, token(gql_sandbox, returnTo=f"{gql_sandbox.url}/catalog?x=1"))
    assert answer.status_code == 303 and answer.headers["Location"] == "/catalog?x=1"


def test_the_learner_is_found_by_external_id_and_kept_up_to_date(gql_sandbox):
    store = gql_sandbox.store
    store.execute("UPDATE users SET external_customer_id = 'CRM-7' WHERE email = ?",
                  "avery@example.com")  # fmt: skip
    signed = token(gql_sandbox, email="avery.j@example.com", externalCustomerId="CRM-7",
                   lastName="Johnson-Lee")  # fmt: skip
    answer = hand_over(gql_sandbox, signed)
    assert answer.status_code == 303
    row = store.one("SELECT email, last_name FROM users WHERE external_customer_id = 'CRM-7'")
    assert (row["email"], row["last_name"]) == ("avery.j@example.com", "Johnson-Lee")
    # An email whose account is linked to another external id is not taken over.
    other = token(gql_sandbox, email="noah@example.com", externalCustomerId="CRM-8")
    store.execute("UPDATE users SET external_customer_id = 'CRM-9' WHERE email = ?",
                  "noah@example.com")  # fmt: skip
    store.execute("DELETE FROM site_sessions")
    refused(gql_sandbox, hand_over(gql_sandbox, other), 403, "linked to another sign-in")


def test_an_unknown_email_creates_the_learner_or_is_refused_as_the_settings_say(gql_sandbox):
    users = gql_sandbox.count("users")
    answer = hand_over(gql_sandbox, token(gql_sandbox, email="sam@example.com",
                                          firstName="Sam", externalCustomerId="CRM-1"))  # fmt: skip
    assert answer.status_code == 303 and gql_sandbox.count("users") == users + 1
    row = gql_sandbox.store.one("SELECT * FROM users WHERE email = 'sam@example.com'")
    assert (row["first_name"], row["external_customer_id"], row["password_hash"]) == (
        "Sam", "CRM-1", None)  # fmt: skip

    gql_sandbox.app.extensions["sandbox"].sso_new_learners = "refuse"
    gql_sandbox.store.execute("DELETE FROM site_sessions")
    answer = hand_over(gql_sandbox, token(gql_sandbox, email="kim@example.com"))
    refused(gql_sandbox, answer, 403, "no account for kim@example.com")
    assert gql_sandbox.count("users") == users + 1


def test_a_disabled_learner_is_refused(gql_sandbox):
    answer = hand_over(gql_sandbox, token(gql_sandbox, email="dana@example.com"))
    refused(gql_sandbox, answer, 403, "disabled")


def test_sign_in_and_sign_out_lead_to_the_identity_provider_when_set(gql_sandbox):
    settings = gql_sandbox.app.extensions["sandbox"]
    settings.sso_login_url = LOGIN_URL
    settings.sso_logout_url = "https://portal.example.com/sso/logout"
    page = requests.get(f"{gql_sandbox.url}/learn/beginner-course", allow_redirects=False)
    wanted = requests.utils.quote(f"{gql_sandbox.url}/learn/beginner-course", safe="")
    assert page.status_code == 303
    assert page.headers["Location"] == (
        f"https://portal.example.com/sso/login?returnTo={wanted}&from=TI"
    )
    sign_in = requests.get(f"{gql_sandbox.url}/sign-in?next=/catalog", allow_redirects=False)
    assert sign_in.headers["Location"].startswith("https://portal.example.com/sso/login?")

    browser = requests.Session()
    assert hand_over(gql_sandbox, token(gql_sandbox), browser).status_code == 303
    dashboard = browser.get(f"{gql_sandbox.url}/dashboard").text
    csrf = dashboard.split('name="csrf" value="')[1].split('"')[0]
    out = browser.post(f"{gql_sandbox.url}/sign-out", data={"csrf": csrf}, allow_redirects=False)
    assert out.headers["Location"] == "https://portal.example.com/sso/logout"
    assert gql_sandbox.count("site_sessions") == 0


def test_its_logout_page_ends_the_session_whoever_sends_the_learner_there(gql_sandbox):
    browser = requests.Session()
    assert hand_over(gql_sandbox, token(gql_sandbox), browser).status_code == 303
    assert gql_sandbox.count("site_sessions") == 1
    out = browser.get(f"{gql_sandbox.url}/access/logout", allow_redirects=False)
    assert out.status_code == 303 and out.headers["Location"] == "/sign-in"
    assert gql_sandbox.count("site_sessions") == 0
    assert "Sign in to" in browser.get(f"{gql_sandbox.url}/dashboard").text


def test_a_new_hand_over_ends_the_browsers_earlier_session(gql_sandbox):
    browser = requests.Session()
    hand_over(gql_sandbox, token(gql_sandbox), browser)
    hand_over(gql_sandbox, token(gql_sandbox), browser)
    assert gql_sandbox.count("site_sessions") == 1


def test_the_access_log_never_shows_a_token(gql_sandbox, caplog):
    signed = token(gql_sandbox)
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.INFO):
            hand_over(gql_sandbox, signed)
            hand_over(gql_sandbox, signed)  # refused: a warning of its own
    finally:
        werkzeug.setLevel(level)
    lines = [record.getMessage() for record in caplog.records]
    assert any("GET /access/jwt?jwt=[redacted]" in line for line in lines), lines
    assert any("single sign-on refused: replayed" in line for line in lines), lines
    secret = gql_sandbox.app.extensions["sandbox"].sso_secret
    assert not any(signed in line or secret in line for line in lines), lines
    assert sso.IAT_WINDOW == 500
