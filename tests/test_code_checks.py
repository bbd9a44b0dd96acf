"""Codes cannot be guessed: checking redemption and registration codes is limited per learner
(whatever their address) and per address (whoever signs in there), each code of a list
counting, with the form kept and the real time to wait."""

from __future__ import annotations

import html

import pytest

from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}
VALID = DEMO_CODES["redemption"]["valid"]


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def limited_app(sandbox, portal_config):
    from portal import create_app

    def make(limit: str | None = None):
        settings = {"RATELIMIT_CODE_CHECKS": limit} if limit else {}
        return create_app(portal_config(sandbox.url, **settings))

    return make


def signed_in(app, who: str, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    email, password = DEMO_LOGINS[who]
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    client.token = csrf_from(client.get("/account/codes").get_data(as_text=True))
    return client


def check(client, code: str, headers=None):
    data = {"kind": "redemption", "code": code, "csrf_token": client.token}
    return client.post("/account/codes", data=data, headers=headers or {})


def several(client, codes: list[str], headers=None):
    data = {"codes": "\n".join(codes), "csrf_token": client.token}
    return client.post("/account/codes/several", data=data, headers=headers or {})


def assert_refused(response, typed: str) -> None:
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"Please wait {seconds} seconds, then try again." in text(response)
    assert "You checked many codes in a short time." in text(response)
    assert typed in text(response)  # what was typed comes back


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_learner_checks_a_few_codes_a_minute_from_any_address(limited_app, headers):
    app = limited_app("5 per minute")
    laptop = signed_in(app, "busy", "10.0.0.1")
    phone = signed_in(app, "busy", "10.0.0.2")
    assert [check(laptop, f"GUESS-{n}").status_code for n in range(3)] == [422] * 3
    assert [check(phone, f"GUESS-{n}").status_code for n in range(3, 5)] == [422] * 2
    assert_refused(check(laptop, "GUESS-5", headers), 'value="GUESS-5"')
    # Another learner elsewhere is not held up.
    assert check(signed_in(app, "new", "10.0.0.3"), VALID).status_code == 200


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_each_code_of_a_list_counts(limited_app, headers):
    app = limited_app("5 per minute")
    busy = signed_in(app, "busy", "10.0.0.1")
    assert several(busy, ["GUESS-1", "GUESS-2", "GUESS-3", "GUESS-4"]).status_code == 200
    assert_refused(several(busy, ["GUESS-5", "GUESS-6"], headers), "GUESS-6")
    assert_refused(check(busy, "GUESS-7", headers), 'value="GUESS-7"')


def test_an_address_checks_a_few_codes_a_minute_whoever_signs_in(limited_app):
    app = limited_app("5 per minute")
    first = signed_in(app, "busy", "10.0.0.9")
    second = signed_in(app, "new", "10.0.0.9")
    for number in range(5):
        check(first if number % 2 else second, f"GUESS-{number}")
    assert_refused(check(second, "GUESS-5"), 'value="GUESS-5"')


def test_the_guessing_of_the_attack_is_refused_at_the_default_limit(limited_app, sandbox):
    # 40 single codes, then five lists of 20, in a few seconds: 30 checks a minute at most.
    busy = signed_in(limited_app(), "busy", "10.0.0.1")
    singles = [check(busy, f"GUESS-{n}").status_code for n in range(40)]
    assert singles == [422] * 30 + [429] * 10
    assert {several(busy, [f"LIST-{n}-{i}" for i in range(20)]).status_code
            for n in range(5)} == {429}  # fmt: skip


def test_redeeming_a_checked_code_counts_too(limited_app):
    app = limited_app("2 per minute")
    busy = signed_in(app, "busy", "10.0.0.1")
    assert check(busy, VALID).status_code == 200
    data = {"kind": "redemption", "code": VALID, "csrf_token": busy.token}
    assert busy.post("/account/codes/redeem", data=data).status_code == 303
    assert_refused(busy.post("/account/codes/redeem", data=data), VALID)
