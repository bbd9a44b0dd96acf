"""Login limits behind a reverse proxy: failed attempts count, per learner address and per email;
X-Forwarded-* headers count only from a trusted proxy."""

from __future__ import annotations

import pytest

from portal.proxies import TrustedProxyFix, parse_trusted
from portal.sandbox.demo import DEMO_LOGINS
from tests.conftest import csrf_from

PROXY = "127.0.0.1"
STRANGER = "203.0.113.7"


def attempt(app, email: str, password: str, peer: str = PROXY, forwarded: str | None = None):
    """One login through a fresh browser: its own cookies, from peer, maybe via a proxy."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
    )


def test_25_learners_behind_one_proxy_all_sign_in_after_a_typo_each(app):
    """Each learner's failure counts for their own address (X-Forwarded-For from the trusted
    proxy): 25 failures through one proxy never reach the limit of 10 an address."""
    email, password = DEMO_LOGINS["busy"]
    statuses = []
    for number in range(1, 26):
        address = f"198.51.100.{number}"
        typo = attempt(app, f"learner{number}@example.com", "wrong", forwarded=address)
        statuses += [typo.status_code, attempt(app, email, password, forwarded=address).status_code]
    assert statuses == [422, 303] * 25


def test_correct_logins_from_one_address_are_never_counted(app):
    email, password = DEMO_LOGINS["busy"]
    statuses = [attempt(app, email, password).status_code for _ in range(12)]
    assert statuses == [303] * 12


def test_11_failures_from_one_address_are_refused_but_not_another_learner(app):
    guesser = "198.51.100.66"
    statuses = [
        attempt(app, f"nobody{n}@example.com", "wrong", forwarded=guesser).status_code
        for n in range(11)
    ]
    assert statuses == [422] * 10 + [429]
    refused = attempt(app, "nobody99@example.com", "wrong", forwarded=guesser)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1

    email, password = DEMO_LOGINS["busy"]
    assert attempt(app, email, password, forwarded="198.51.100.7").status_code == 303


def test_failures_on_one_email_from_many_addresses_are_refused(app):
    email, _password = DEMO_LOGINS["new"]
    statuses = [
        attempt(app, email, "wrong", forwarded=f"198.51.100.{n}").status_code for n in range(11)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:10]
    # Another learner is not held back by it.
    busy_email, busy_password = DEMO_LOGINS["busy"]
    assert attempt(app, busy_email, busy_password, forwarded="198.51.100.1").status_code == 303


def test_forwarded_for_from_an_untrusted_address_is_ignored(app):
    statuses = [
        attempt(
            app, f"nobody{n}@example.com", "wrong", peer=STRANGER, forwarded=f"198.51.100.{n}"
        ).status_code
        for n in range(11)
    ]
    # Every attempt came from STRANGER, whatever it claimed.
    assert statuses == [422] * 10 + [429]


def test_remote_address_comes_from_a_trusted_proxy_only(app):
    seen = {}

    @app.get("/_peer")
    def peer():
        from flask import request

        seen["addr"], seen["scheme"] = request.remote_addr, request.scheme
        return ""

    client = app.test_client()
    headers = {"X-Forwarded-For": "198.51.100.20", "X-Forwarded-Proto": "https"}
    client.get("/_peer", headers=headers)
    assert seen == {"addr": "198.51.100.20", "scheme": "https"}
    client.get("/_peer", headers=headers, environ_base={"REMOTE_ADDR": STRANGER})
    assert seen == {"addr": STRANGER, "scheme": "http"}


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "10.0.0.2", False),
        ("10.0.0.0/8, 192.168.1.1", "10.20.30.40", True),
        ("10.0.0.0/8 192.168.1.1", "192.168.1.1", True),
        ("10.0.0.0/8", "::ffff:10.0.0.1", True),
        ("::1", "::1", True),
        ("*", "198.51.100.1", True),
        ("", "127.0.0.1", False),
        ("127.0.0.1", "not-an-address", False),
    ],
)
def test_trusted_proxies_setting(trusted, peer, expected):
    assert TrustedProxyFix(None, trusted).trusts(peer) is expected


def test_a_wrong_trusted_proxy_setting_says_which():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_trusted("10.0.0.300")
