"""One sign-in: with TI_SSO_SECRET, every instance link goes through the portal's hand-over, which
signs the learner in on the instance (a short-lived JWT, no API call) and lands them on the page;
the instance's login URL leads back here, only to its own pages; signing out on either side
ends both sessions."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

import jwt
import pytest
import requests

from portal import api
from portal.api import errors

COURSE = "/learn/coaching-conversations"
HANDOVER = re.compile(r"^/sso/login\?returnTo=/learn/")


class Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name == "href" and value]


def hrefs(response) -> list[str]:
    parser = Hrefs()
    parser.feed(response.get_data(as_text=True))
    return parser.found


def claims_of(location: str, secret: str) -> dict:
    token = parse_qs(urlsplit(location).query)["jwt"][0]
    return jwt.decode(token, secret, algorithms=["HS256"])


def test_instance_links_hand_over_through_the_portal_once_it_is_on(busy, single_sign_on, sandbox):
    direct = [href for href in hrefs(busy.get("/dashboard")) if href.startswith(sandbox.url)]
    assert any("/learn/" in href for href in direct)
    single_sign_on()
    for headers in ({}, {"HX-Request": "true"}):
        found = hrefs(busy.get("/dashboard", headers=headers))
        assert not [href for href in found if href.startswith(sandbox.url + "/learn/")], found
        assert any(HANDOVER.match(href) for href in found), found
    policy = busy.get("/dashboard").headers["Content-Security-Policy"]
    assert f"form-action 'self' {sandbox.url};" in policy  # a sign-in or -out leads on there
    page = busy.get("/learn/course/" + sandbox.store.scalar(
        "SELECT id FROM content WHERE slug = ?", COURSE.rsplit("/", 1)[1]))  # fmt: skip
    assert f"/sso/login?returnTo={COURSE}" in hrefs(page)


def test_the_hand_over_signs_the_learner_in_on_the_page_without_an_api_call(
    busy, single_sign_on, sandbox, api_cost
):
    secret = single_sign_on()
    response, upstream = api_cost(busy, f"/sso/login?returnTo={quote(COURSE)}")
    assert upstream["requests"] == 0
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"{sandbox.url}/access/jwt?jwt=")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    claims = claims_of(location, secret)
    assert claims["exp"] - claims["iat"] <= 120
    assert {key: claims[key] for key in ("email", "firstName", "lastName", "externalCustomerId",
                                         "returnTo")} == {  # fmt: skip
        "email": "avery@example.com",
        "firstName": "Avery",
        "lastName": "Johnson",
        "externalCustomerId": "NW-CUST-1042",
        "returnTo": COURSE,
    }
    again = claims_of(busy.get(f"/sso/login?returnTo={quote(COURSE)}").headers["Location"], secret)
    assert again["jti"] != claims["jti"]

    with requests.Session() as browser:
        landed = browser.get(location, timeout=10)
    assert landed.url == sandbox.url + COURSE
    assert "Coaching Conversations" in landed.text and "Sign out" in landed.text


def test_an_address_of_the_instance_is_taken_as_its_path(busy, single_sign_on, sandbox):
    secret = single_sign_on()
    response = busy.get("/sso/login", query_string={"returnTo": f"{sandbox.url}/catalog?x=1"})
    assert claims_of(response.headers["Location"], secret)["returnTo"] == "/catalog?x=1"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/learn/x", "https://evil.example/learn/x", "/\\evil.example",
     "javascript:alert(1)", "http://127.0.0.1:1/learn/x", "/learn/\x00x", "HTTPS:evil.example"],
)  # fmt: skip
def test_a_return_to_outside_the_instance_is_refused_with_a_clear_page(
    client, login, single_sign_on, target
):
    single_sign_on()
    for signed_in in (False, True):
        if signed_in:
            login(client)
        response = client.get("/sso/login", query_string={"returnTo": target})
        assert response.status_code == 400
        assert "does not lead to a page of the learning site" in response.get_data(as_text=True)
        assert "Location" not in response.headers


def test_a_learner_not_signed_in_signs_in_here_first_then_lands_on_the_page(
    client, login, single_sign_on, sandbox
):
    single_sign_on()
    asked = f"/sso/login?returnTo={quote(sandbox.url + '/catalog', safe='')}"
    response = client.get(asked)
    assert response.status_code == 302
    login_page = response.headers["Location"]
    assert login_page.startswith("/login?next=")
    signed_in = login(client, next_url=parse_qs(urlsplit(login_page).query)["next"][0])
    assert signed_in.headers["Location"] == asked
    handed = client.get(asked)
    assert handed.headers["Location"].startswith(f"{sandbox.url}/access/jwt?jwt=")


def test_without_the_secret_there_is_no_hand_over(busy):
    assert busy.get("/sso/login?returnTo=/dashboard").status_code == 404


@pytest.mark.parametrize("sign_out", ["/logout", "/account/sessions/end-all"])
def test_signing_out_here_ends_the_instance_session_and_comes_back(
    busy, single_sign_on, sandbox, csrf_token, app, sign_out
):
    single_sign_on("http://localhost")
    with busy.session_transaction() as session:
        token = session["ti_token"]
    browser = requests.Session()
    browser.get(busy.get("/sso/login?returnTo=/dashboard").headers["Location"], timeout=10)
    assert sandbox.store.scalar("SELECT COUNT(*) FROM site_sessions") == 1

    response = busy.post(sign_out, data={"csrf_token": csrf_token(busy, "/account")})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{sandbox.url}/access/logout"
    assert "Clear-Site-Data" not in response.headers  # the instance must see its cookie
    assert busy.get("/home").status_code == 302
    with app.test_request_context(), pytest.raises(errors.TokenExpired):
        api.run_as(token, "CurrentUser")

    back = browser.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert sandbox.store.scalar("SELECT COUNT(*) FROM site_sessions") == 0
    assert back.headers["Location"] == "http://localhost/sso/logout"
    last = busy.get("/sso/logout")
    assert last.headers["Location"] == "/login?signed_out=1"
    assert last.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_signing_out_on_the_instance_signs_the_learner_out_here(busy, single_sign_on, sandbox):
    single_sign_on()
    with busy.session_transaction() as session:
        token = session["ti_token"]
    # Sent by another site (or no Referer at all): a question, not a sign-out.
    for referrer in (None, "https://evil.example/page", "http://[::1"):
        headers = {"Referer": referrer} if referrer else {}
        asked = busy.get("/sso/logout", headers=headers)
        assert asked.status_code == 200
        page = asked.get_data(as_text=True)
        assert "Sign out here too?" in page and 'action="/logout"' in page
        assert busy.get("/home").status_code == 200

    response = busy.get("/sso/logout", headers={"Referer": f"{sandbox.url}/"})
    assert response.status_code == 303 and response.headers["Location"] == "/login?signed_out=1"
    assert busy.get("/home").status_code == 302
    with busy.application.test_request_context(), pytest.raises(errors.TokenExpired):
        api.run_as(token, "CurrentUser")
