"""Nothing typed is lost: every form comes back as sent when the instance is down or throttling."""

from __future__ import annotations

import re

import pytest

from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS
from tests.conftest import announced, csrf_from

HX = {"HX-Request": "true"}
DOWN_MESSAGE = "The learning service is not reachable right now. What you entered is kept below"
BUSY_MESSAGE = "The learning service is busy. Nothing was sent: what you entered is kept below."


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture(params=["down", "throttled"])
def outage(request, sandbox):
    """Callable: outage() makes the instance stop answering (down) or answer 429 (throttled);
    returns the status and message the form must come back with."""

    def start():
        if request.param == "down":
            sandbox.server.stop()
            return 503, DOWN_MESSAGE
        sandbox.app.extensions["sandbox"].points_per_minute = 0
        return 429, BUSY_MESSAGE

    return start


@pytest.fixture(params=[{}, HX], ids=["plain", "htmx"])
def headers(request):
    return request.param


def assert_kept(response, status: int, message: str, *values: str) -> str:
    html = text(response)
    assert response.status_code == status, html[:500]
    assert int(response.headers["Retry-After"]) >= 1
    assert message in html
    if "<html" not in html:  # an htmx answer: said at once through the page's live region
        assert any(region == "alert" and message in words for region, words in announced(html))
    for value in values:
        assert f'value="{value}"' in html, f"{value!r} is not in the form any more"
    return html


def test_login_keeps_the_email(client, outage, headers):
    token = csrf_from(text(client.get("/login")))
    status, message = outage()
    email, password = DEMO_LOGINS["busy"]
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/account"},
        headers=headers,
    )
    html = assert_kept(response, status, message, email, "/account")
    # A password is never written back into a page.
    assert password not in html


def test_failed_logins_during_an_outage_do_not_count_against_the_learner(client, sandbox):
    token = csrf_from(text(client.get("/login")))
    email, password = DEMO_LOGINS["busy"]
    data = {"email": email, "password": password, "csrf_token": token}
    sandbox.app.extensions["sandbox"].points_per_minute = 0
    for _ in range(12):
        assert client.post("/login", data=data).status_code == 429
    sandbox.app.extensions["sandbox"].points_per_minute = 10_000

    assert client.post("/login", data=data).status_code == 303


def upload_data(client) -> dict:
    html = text(client.get("/certificates/new"))
    names = dict(
        (label, name)
        for name, label in re.findall(r'<label[^>]*for="(field_\d+)"[^>]*>([^<]+)</label>', html)
    )
    return {
        "csrf_token": csrf_from(html),
        "asset": "https://files.example.com/first-aid.pdf",
        names["Course"]: "First aid at work",
        names["Issued on"]: "2025-03-01",
        names["Valid until"]: "2027-03-01",
    }


def test_certificate_upload_keeps_every_field(busy, outage, headers):
    data = upload_data(busy)
    status, message = outage()
    response = busy.post("/certificates/new", data=data, headers=headers)
    values = [value for name, value in data.items() if name != "csrf_token"]
    html = assert_kept(response, status, message, *values)
    assert ('<form id="certificate-upload-form"' in html) and (
        ("<html" in html) is not bool(headers)
    )


def test_certificate_upload_page_needs_the_instance_the_first_time(busy, sandbox):
    sandbox.server.stop()
    response = busy.get("/certificates/new")
    assert response.status_code == 503
    assert response.headers["Retry-After"]


def test_code_check_keeps_the_code_and_its_kind(busy, outage, headers):
    token = csrf_from(text(busy.get("/account/codes")))
    status, message = outage()
    response = busy.post(
        "/account/codes",
        data={"kind": "registration", "code": "TYPED-BY-HAND", "csrf_token": token},
        headers=headers,
    )
    html = assert_kept(response, status, message, "TYPED-BY-HAND")
    assert re.search(r'value="registration"[^>]*checked|checked[^>]*value="registration"', html)


def test_redeem_confirm_keeps_the_code(busy, outage, headers):
    code = DEMO_CODES["redemption"]["valid"]
    token = csrf_from(text(busy.get("/account/codes")))
    status, message = outage()
    response = busy.post(
        "/account/codes/redeem",
        data={"kind": "redemption", "code": code, "csrf_token": token},
        headers=headers,
    )
    assert_kept(response, status, message, code)


def test_license_switch_keeps_the_choice(busy, sandbox, outage, headers):
    chosen = sandbox.store.scalar("SELECT id FROM licenses WHERE name = ?", "Engineering Academy")
    token = csrf_from(text(busy.get("/account")))
    status, message = outage()
    response = busy.post(
        "/account/license", data={"license_id": chosen, "csrf_token": token}, headers=headers
    )
    html = assert_kept(response, status, message, chosen)
    assert 'action="/account/license"' in html


def test_catalog_redeem_keeps_the_course_to_confirm_again(busy, sandbox, outage, headers):
    course = sandbox.store.scalar(
        "SELECT id FROM content WHERE title = ?", "Machine Learning Basics"
    )
    page = text(busy.get(f"/catalog/{course}/redeem"))
    fields = dict(re.findall(r'<input type="hidden" name="(title|price)" value="([^"]*)"', page))
    status, message = outage()
    response = busy.post(
        f"/catalog/{course}/redeem",
        data={"csrf_token": csrf_from(page), **fields},
        headers=headers,
    )
    html = assert_kept(response, status, message, fields["title"])
    assert f'action="/catalog/{course}/redeem"' in html
    assert "Machine Learning Basics" in html


def test_language_switch_works_while_the_instance_is_down(client, sandbox):
    token = csrf_from(text(client.get("/login")))
    sandbox.server.stop()
    response = client.post("/language", data={"lang": "fr", "next": "/login", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login")
    with client.session_transaction() as session:
        assert session["lang"] == "fr"
