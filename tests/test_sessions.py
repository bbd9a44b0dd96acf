"""The learner's sessions: listed on the Account page, ended one by one or everywhere (with their
instance tokens), and an absolute lifetime on top of the idle timeout."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import requests

from portal import session_registry
from tests.conftest import API_KEY, csrf_from

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, login, user_agent: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    assert login(client, "busy").status_code == 303
    return client


def session_ids(html: str) -> list[str]:
    return re.findall(r'action="/account/sessions/([^/"]+)/end"', html)


def token_of(app, client) -> str:
    cookie = client.get_cookie("portal_session").value
    interface = app.session_interface
    return interface._retrieve_session_data(interface._get_store_id(cookie))["ti_token"]


def current_user(sandbox, token: str) -> dict:
    answer = requests.post(
        f"{sandbox.url}/helium",
        params={"apiKey": API_KEY},
        json={"query": "{ CurrentUser { id } }"},
        headers={"authToken": token},
        timeout=10,
    ).json()
    return answer


def test_account_lists_the_learners_sessions_with_their_browsers(app, login):
    signed_in(app, login, FIREFOX)
    phone = signed_in(app, login, SAFARI)
    html = text(phone.get("/account"))
    assert "Where you are signed in" in html
    assert "Firefox on Windows" in html and "Mobile Safari on iOS" in html
    assert "This browser" in html
    # Only the other session has its own sign out button; this one has "everywhere".
    assert len(session_ids(html)) == 1
    assert 'action="/account/sessions/end-all"' in html


def test_ending_another_session_signs_it_out_and_ends_its_token(app, login, sandbox):
    laptop = signed_in(app, login, FIREFOX)
    phone = signed_in(app, login, SAFARI)
    laptop_token = token_of(app, laptop)
    page = text(phone.get("/account"))
    [laptop_id] = session_ids(page)

    response = phone.post(
        f"/account/sessions/{laptop_id}/end", data={"csrf_token": csrf_from(page)}
    )

    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/account#sessions"
    )
    assert "That session was signed out." in text(phone.get("/account"))
    gone = laptop.get("/dashboard")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    assert current_user(sandbox, laptop_token)["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED"
    )
    assert phone.get("/dashboard").status_code == 200


def test_ending_a_session_of_someone_else_does_nothing(app, login, client):
    mine = signed_in(app, login, FIREFOX)
    assert login(client, "new").status_code == 303
    page = text(client.get("/account"))
    theirs = signed_in(app, login, SAFARI)
    [other_id] = [i for i in session_ids(text(theirs.get("/account")))]

    response = client.post(
        f"/account/sessions/{other_id}/end", data={"csrf_token": csrf_from(page)}
    )

    assert response.status_code == 303
    assert "That session had already ended." in text(client.get("/account"))
    assert mine.get("/dashboard").status_code == 200


def test_sign_out_everywhere_ends_every_session_and_token(app, login, sandbox):
    laptop = signed_in(app, login, FIREFOX)
    phone = signed_in(app, login, SAFARI)
    tokens = [token_of(app, laptop), token_of(app, phone)]
    page = text(phone.get("/account"))

    response = phone.post("/account/sessions/end-all", data={"csrf_token": csrf_from(page)})

    assert response.status_code == 303 and "signed_out=1" in response.headers["Location"]
    for client in (laptop, phone):
        gone = client.get("/dashboard")
        assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    for token in tokens:
        answer = current_user(sandbox, token)
        assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_ending_sessions_needs_csrf(busy):
    assert busy.post("/account/sessions/end-all").status_code == 400
    assert busy.get("/account/sessions/end-all").status_code == 405
    assert busy.get("/dashboard").status_code == 200  # still signed in


def test_session_ends_after_its_absolute_lifetime_however_active(app, login):
    client = signed_in(app, login, FIREFOX)
    assert client.get("/dashboard").status_code == 200
    lifetime = app.config["SESSION_ABSOLUTE_LIFETIME"]
    assert lifetime == timedelta(hours=12)
    with client.session_transaction() as stored:
        stored[session_registry.STARTED_KEY] = time.time() - lifetime.total_seconds() - 1

    response = client.get("/dashboard")

    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert client.get("/dashboard").status_code == 302


def test_an_active_session_is_stored_again_each_minute_not_on_every_page(app, login, monkeypatch):
    client = signed_in(app, login, FIREFOX)
    client.get("/dashboard")
    # Within the minute: nothing changed, nothing written, no cookie sent again.
    assert "Set-Cookie" not in client.get("/dashboard").headers
    # A minute on: the last-seen time moves, so the session and its cookie are renewed (the
    # idle timeout starts again from now).
    monkeypatch.setattr(session_registry, "SEEN_EVERY_SECONDS", 0)
    renewed = client.get("/dashboard").headers.get("Set-Cookie", "")
    assert renewed.startswith("portal_session=") and "Expires=" in renewed


def test_absolute_lifetime_is_a_setting():
    from portal.config import from_env

    assert from_env({"SESSION_ABSOLUTE_LIFETIME_HOURS": "4"})[
        "SESSION_ABSOLUTE_LIFETIME"
    ] == timedelta(hours=4)


@pytest.mark.parametrize(
    ("agent", "label"),
    [(FIREFOX, "Firefox on Windows"), ("", "Unknown browser"), ("curl/8.5.0", "curl")],
)
def test_browser_labels(app, agent, label):
    with app.test_request_context():
        assert session_registry.browser_label(agent) == label
