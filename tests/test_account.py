"""Account: profile, credits, switching the active license, checking and redeeming codes."""

from __future__ import annotations

import re

import pytest

from portal.sandbox.demo import DEMO_CODES

HX = {"HX-Request": "true"}
LICENSES = {"sales": "Sales Enablement licence", "engineering": "Engineering Academy licence"}


def license_id(sandbox, name: str) -> str:
    return sandbox.store.scalar("SELECT id FROM licenses WHERE name = ?", name)


def active_license(html: str) -> list[str]:
    """Names of the licenses the page marks active."""
    return re.findall(r'class="license license--active">.*?license__name">([^<]+)<', html, re.S)


def text(response) -> str:
    return response.get_data(as_text=True)


# -- /account ----------------------------------------------------------------------------------


def test_account_requires_login(client):
    response = client.get("/account")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_account_page_shows_profile_credits_and_licenses(busy):
    response = busy.get("/account")
    html = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" in html
    # The profile's own lines (the header's menu shows the name and address too).
    profile = re.search(r'<dl class="account-profile">(.*?)</dl>', html, re.S).group(1)
    assert re.findall(r"<dd>([^<]*)</dd>", profile)[:2] == ["Avery Johnson", "avery@example.com"]
    assert "Your balance: 120 credits" in html
    assert LICENSES["sales"] in html and LICENSES["engineering"] in html
    assert active_license(html) == [LICENSES["sales"]]
    assert 'id="license-list"' in html


def test_account_htmx_gets_the_details_fragment(busy):
    response = busy.get("/account", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="account-details"')
    assert active_license(html) == [LICENSES["sales"]]


def test_account_lists_the_instance_languages(busy):
    html = text(busy.get("/account"))
    assert 'id="languages-heading"' in html
    assert "English" in html


def test_new_learner_without_licenses_sees_empty_state(client, login):
    login(client, "new")
    html = text(client.get("/account"))
    assert "No licenses yet" in html
    assert not active_license(html)


def test_switching_license_changes_what_account_shows_active(busy, sandbox, csrf_token):
    engineering = license_id(sandbox, "Engineering Academy")
    response = busy.post(
        "/account/license",
        data={"license_id": engineering, "csrf_token": csrf_token(busy, "/account")},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account")
    html = text(busy.get("/account"))
    assert active_license(html) == [LICENSES["engineering"]]
    assert "Your active license is now Engineering Academy licence." in html


def test_switching_license_with_htmx_swaps_the_license_list(busy, sandbox, csrf_token):
    engineering = license_id(sandbox, "Engineering Academy")
    response = busy.post(
        "/account/license",
        data={"license_id": engineering, "csrf_token": csrf_token(busy, "/account")},
        headers=HX,
    )
    html = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<section id="license-list"')
    assert active_license(html) == [LICENSES["engineering"]]
    assert "Your active license is now Engineering Academy licence." in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
@pytest.mark.parametrize("value", ["no-such-license", "", "x" * 5000, "' OR 1=1 --"])
def test_unknown_license_id_is_refused_clearly(busy, csrf_token, headers, value):
    response = busy.post(
        "/account/license",
        data={"license_id": value, "csrf_token": csrf_token(busy, "/account")},
        headers=headers,
    )
    html = text(response)
    assert response.status_code == 422
    assert "Choose one of your licenses" in html or "not one of yours" in html
    assert active_license(html) == [LICENSES["sales"]]


def test_license_switch_without_csrf_token_is_refused(busy, sandbox):
    engineering = license_id(sandbox, "Engineering Academy")
    response = busy.post("/account/license", data={"license_id": engineering})
    assert response.status_code == 400
    assert active_license(text(busy.get("/account"))) == [LICENSES["sales"]]


def test_license_switch_is_post_only(busy):
    assert busy.get("/account/license").status_code == 405


# -- /account/codes ----------------------------------------------------------------------------


def check(client, csrf_token, code, kind="redemption", headers=None):
    return client.post(
        "/account/codes",
        data={"kind": kind, "code": code, "csrf_token": csrf_token(client, "/account/codes")},
        headers=headers or {},
    )


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_codes_page_shows_the_form(busy, headers):
    response = busy.get("/account/codes", headers=headers)
    html = text(response)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert ('<div id="code-result"' in html) and (("<html" in html) == (not headers))
    assert 'name="code"' in html and 'value="registration"' in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_empty_code_is_asked_for_again(busy, csrf_token, headers):
    response = check(busy, csrf_token, "   ", headers=headers)
    assert response.status_code == 422
    assert "Enter the code." in text(response)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_very_long_code_is_refused_and_kept(busy, csrf_token, headers):
    code = "A" * 300
    response = check(busy, csrf_token, code, headers=headers)
    html = text(response)
    assert response.status_code == 422
    assert "at most 100 characters" in html
    assert f'value="{code}"' in html


def test_unknown_kind_of_code_is_refused(busy, csrf_token):
    response = check(busy, csrf_token, "ANY", kind="coupon")
    assert response.status_code == 422
    assert 'id="code-result"' in text(response)


@pytest.mark.parametrize(
    ("kind", "state", "message"),
    [
        ("redemption", "used", "This code has already been redeemed."),
        ("redemption", "expired", "This code has expired."),
        ("registration", "used", "This code has already been redeemed."),
    ],
)
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_used_and_expired_codes_say_why(busy, csrf_token, kind, state, message, headers):
    code = DEMO_CODES[kind][state]
    response = check(busy, csrf_token, code, kind=kind, headers=headers)
    html = text(response)
    assert response.status_code == 422
    assert message in html
    assert f'value="{code}"' in html
    assert "Redeem " + code not in html


@pytest.mark.parametrize("kind", ["redemption", "registration"])
def test_unknown_code_is_not_valid(busy, csrf_token, kind):
    response = check(busy, csrf_token, "NO-SUCH-CODE-<b>", kind=kind)
    html = text(response)
    assert response.status_code == 422
    assert "This code is not valid." in html
    assert "NO-SUCH-CODE-&lt;b&gt;" in html


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_valid_code_offers_the_redeem_step(busy, csrf_token, headers):
    code = DEMO_CODES["redemption"]["valid"]
    response = check(busy, csrf_token, code, headers=headers)
    html = text(response)
    assert response.status_code == 200
    assert "This code is valid." in html
    assert f"Redeem {code}" in html
    assert 'action="/account/codes/redeem"' in html


def redeem(client, csrf_token, code, kind="redemption", headers=None):
    return client.post(
        "/account/codes/redeem",
        data={"kind": kind, "code": code, "csrf_token": csrf_token(client, "/account/codes")},
        headers=headers or {},
    )


@pytest.mark.parametrize("kind", ["redemption", "registration"])
def test_valid_code_redeems_and_then_shows_as_already_redeemed(busy, csrf_token, kind):
    code = DEMO_CODES[kind]["valid"]
    response = redeem(busy, csrf_token, code, kind=kind)
    assert response.status_code == 303
    page = busy.get(response.headers["Location"], follow_redirects=True)
    assert f"The code {code} was redeemed." in text(page)
    again = check(busy, csrf_token, code, kind=kind)
    assert again.status_code == 422
    assert "This code has already been redeemed." in text(again)


def test_redeemed_code_grants_its_content(busy, csrf_token, sandbox):
    course = sandbox.store.scalar(
        "SELECT id FROM content WHERE title = ?", "Machine Learning Basics"
    )
    owned = (
        "SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id "
        "WHERE u.email = 'avery@example.com' AND e.content_id = ?"
    )
    assert sandbox.store.scalar(owned, course) == 0
    assert redeem(busy, csrf_token, DEMO_CODES["redemption"]["valid"]).status_code == 303
    assert sandbox.store.scalar(owned, course) == 1


def test_redeem_with_htmx_navigates_to_the_next_page(busy, csrf_token):
    response = redeem(busy, csrf_token, DEMO_CODES["redemption"]["valid"], headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"]


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_redeeming_a_used_code_is_refused(busy, csrf_token, headers):
    code = DEMO_CODES["redemption"]["used"]
    response = redeem(busy, csrf_token, code, headers=headers)
    html = text(response)
    assert response.status_code == 422
    assert "This code has already been redeemed." in html
    assert f'value="{code}"' in html


def test_redeem_without_a_code_is_refused(busy, csrf_token):
    response = redeem(busy, csrf_token, "", kind="nonsense")
    assert response.status_code == 422
    assert "check it before redeeming" in text(response)


# -- upstream down -----------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_account_shows_an_error_with_retry_when_the_api_is_down(busy, sandbox, headers):
    sandbox.server.stop()
    response = busy.get("/account", headers=headers)
    html = text(response)
    assert response.status_code == 200
    assert "Your account details could not be loaded" in html
    assert 'hx-target="#account-details"' in html and "Try again" in html


def test_code_check_keeps_the_code_when_the_api_is_down(busy, sandbox, csrf_token):
    token = csrf_token(busy, "/account/codes")
    sandbox.server.stop()
    response = busy.post(
        "/account/codes", data={"kind": "redemption", "code": "KEEP-ME", "csrf_token": token}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert 'value="KEEP-ME"' in text(response)


# -- several codes at once ------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_several_codes_are_redeemed_at_once_each_with_its_outcome(busy, sandbox, csrf_token,
                                                                  headers):  # fmt: skip
    redemption, registration = DEMO_CODES["redemption"], DEMO_CODES["registration"]
    typed = "\n".join(
        [redemption["valid"], registration["valid"], redemption["used"], redemption["expired"],
         "NO-SUCH-CODE", redemption["valid"]]
    )  # fmt: skip
    response = busy.post(
        "/account/codes/several",
        data={"codes": typed, "csrf_token": csrf_token(busy, "/account/codes")},
        headers=headers,
    )
    html = text(response)
    assert response.status_code == 200
    assert ("<html" in html) == (not headers)
    row = r'<th scope="row">([^<]+)</th>\s*<td><span[^>]*>([^<]+)</span>'
    outcomes = dict(re.findall(row, html))
    assert outcomes == {
        redemption["valid"]: "Redeemed",
        registration["valid"]: "Redeemed",
        redemption["used"]: "Already redeemed",
        redemption["expired"]: "Expired",
        "NO-SUCH-CODE": "Not a valid code",
    }
    assert "2 codes redeemed." in html
    for code in (redemption["valid"], registration["valid"]):
        assert sandbox.store.scalar("SELECT uses FROM codes WHERE code = ?", code) == 1


def test_several_codes_need_at_least_one(busy, csrf_token):
    response = busy.post(
        "/account/codes/several",
        data={"codes": "  ", "csrf_token": csrf_token(busy, "/account/codes")},
    )
    assert response.status_code == 422
    assert "Enter at least one code." in text(response)
