"""No form of the portal lets a control character through to the instance: NUL and the rest of
C0 (and DEL) are refused next to their field, plain and with htmx; a text area keeps its tabs
and line breaks; a search holding them is left out with a notice."""

from __future__ import annotations

import html
import re

import pytest

from portal.forms import CONTROL_MESSAGE
from portal.sandbox.demo import DEMO_LOGINS
from tests.conftest import csrf_from
from tests.test_budget import Upstream

HX = {"HX-Request": "true"}
MESSAGE = str(CONTROL_MESSAGE)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def token(client, path: str) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def folder_id(sandbox) -> str:
    email = DEMO_LOGINS["busy"][0]
    return sandbox.store.scalar(
        "SELECT bookmark_folders.id FROM bookmark_folders JOIN users ON users.id = user_id "
        "WHERE users.email = ? AND default_folder = 0 LIMIT 1",
        email,
    )


def upload(client, typed: dict) -> dict:
    page = client.get("/certificates/new").get_data(as_text=True)
    names = dict(
        (label, name)
        for name, label in re.findall(r'<label[^>]*for="(field_\d+)"[^>]*>([^<]+)</label>', page)
    )
    data = {"asset": "https://files.example.com/cpr.pdf", names["Course"]: "CPR",
            names["Issued on"]: "2025-03-01", names["Valid until"]: "2027-03-01"}  # fmt: skip
    data.update({names.get(key, key): value for key, value in typed.items()})
    return data


# (name, page the form is on, where it is sent, what is typed, the field it belongs to):
# every form of a signed-in learner that sends something typed or chosen upstream.
SIGNED_IN_FORMS = [
    ("code check", "/account/codes", "/account/codes",
     {"kind": "redemption", "code": "NORTHWIND\x00WELCOME"}, "code"),
    ("code kind", "/account/codes", "/account/codes",
     {"kind": "redemption\x01", "code": "NORTHWIND-WELCOME"}, "kind"),
    ("several codes", "/account/codes", "/account/codes/several",
     {"codes": "NORTHWIND-WELCOME\nNW-\x002024"}, "codes"),
    ("license", "/account", "/account/license", {"license_id": "lic\x1b[31m"}, "license_id"),
    ("new folder", "/bookmarks", "/bookmarks/folders", {"name": "\x00nul"}, "name"),
    ("folder rename", "/bookmarks", "/bookmarks/folders/{folder}/rename",
     {"name": "Tab\tseparated"}, "name"),
    ("certificate upload", "/certificates/new", "/certificates/new",
     {"asset": "https://files.example.com/\x00.pdf"}, "asset"),
    ("certificate field", "/certificates/new", "/certificates/new", {"Course": "CPR\x07"}, None),
]  # fmt: skip


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("name", "page", "path", "typed", "field"), SIGNED_IN_FORMS, ids=[f[0] for f in SIGNED_IN_FORMS]
)
def test_every_signed_in_form_refuses_control_characters_before_the_instance(
    busy, sandbox, headers, name, page, path, typed, field
):
    path = path.format(folder=folder_id(sandbox))
    data = upload(busy, typed) if path == "/certificates/new" else dict(typed)
    data["csrf_token"] = token(busy, page)
    upstream = Upstream(sandbox)
    response = busy.post(path, data=data, headers=headers)
    assert response.status_code == 422, name
    assert MESSAGE in text(response), name
    # Nothing reached the instance but what draws the form again (no mutation, no check).
    sent = [call for call in upstream.names() if call]
    assert not any(op.startswith(("Validate", "Redeem", "Create", "Update", "Select"))
                   for op in sent), sent  # fmt: skip
    if field:  # next to its field
        assert re.search(r'class="field__error"[^>]*>[^<]*' + re.escape(MESSAGE), text(response))


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"email": "avery\x00@example.com"}, "email"),
        ({"password": "learn-avery-1\x00"}, "password"),
    ],
)
def test_sign_in_refuses_control_characters_next_to_the_field(
    client, sandbox, headers, typed, field
):
    email, password = DEMO_LOGINS["busy"]
    data = {"email": email, "password": password, "csrf_token": token(client, "/login"), **typed}
    upstream = Upstream(sandbox)
    response = client.post("/login", data=data, headers=headers)
    assert response.status_code == 422
    assert MESSAGE in text(response)
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*{re.escape(MESSAGE[:30])}', text(response))
    assert "Login" not in upstream.names()


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("path", "typed", "field"),
    [
        ("/join", {"first_name": "Zo\x00e"}, "first_name"),
        ("/join", {"email": "zoe\x0b@example.com"}, "email"),
        ("/join", {"code": "JOIN-\x00NORTHWIND"}, "code"),
        ("/join/code", {"code": "JOIN-\x00NORTHWIND"}, "code"),
    ],
)
def test_joining_refuses_control_characters(
    sandbox, portal_config, headers, path, typed, field
):
    from portal import create_app

    app = create_app(portal_config(sandbox.url, PORTAL_REGISTRATION=True))
    client = app.test_client()
    data = {"code": "JOIN-NORTHWIND", "first_name": "Zoe", "last_name": "Newman",
            "email": "zoe@example.com", "accept_terms": "y", "csrf_token": token(client, "/join"),
            **typed}  # fmt: skip
    upstream = Upstream(sandbox)
    response = client.post(path, data=data, headers=headers)
    assert response.status_code == 422
    assert MESSAGE in text(response)
    assert not [name for name in upstream.names() if name != "InstanceData"]
    assert sandbox.store.one("SELECT * FROM users WHERE email = ?", "zoe@example.com") is None


def test_a_text_area_keeps_tabs_and_line_breaks(busy, sandbox):
    data = {"codes": "NORTHWIND-WELCOME\r\n\tNW-2024", "csrf_token": token(busy, "/account/codes")}
    response = busy.post("/account/codes/several", data=data)
    assert response.status_code == 200 and MESSAGE not in text(response)
    assert "NORTHWIND-WELCOME" in text(response) and "NW-2024" in text(response)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("path", "name"), [("/dashboard", "q"), ("/catalog", "query"), ("/certificates", "query")]
)
def test_a_search_with_control_characters_is_left_out_with_a_notice(
    busy, sandbox, headers, path, name
):
    upstream = Upstream(sandbox)
    response = busy.get(path, query_string={name: "sql\x00"}, headers=headers)
    assert response.status_code == 200
    assert "The search held invisible control characters, so it was left out." in text(response)
    assert "sql\x00" not in text(response)
    assert all("\\u0000" not in str(call) for call in upstream.calls)
