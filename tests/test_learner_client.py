"""The learner's own client: its branding on every signed-in page, its languages (selector,
choices, default), its catalog language filter; and the email verification notice."""

from __future__ import annotations

import re

import requests

HX = {"HX-Request": "true"}


def text(response) -> str:
    return response.get_data(as_text=True)


def options(page: str) -> list[str]:
    return re.findall(r'<option value="(\w+)" lang=', page)


def test_a_learner_of_the_second_client_sees_its_branding_and_only_its_languages(client, login):
    login(client, "branded")
    for path in ("/dashboard", "/account", "/catalog", "/certificates"):
        page = text(client.get(path))
        assert "Lakeside Health Academy" in page, path
        assert "--brand-accent: #0B6E4F;" in page, path
        assert "/assets/lakeside-health.svg" in page, path
        assert "Lakeside intranet" in page, path
        assert '<html lang="de">' in page, path
        assert set(options(page)) == {"en", "de"}, path
    refused = client.post(
        "/language", data={"lang": "fr", "csrf_token": csrf(client)}, follow_redirects=False
    )
    assert refused.status_code == 400
    switched = client.post("/language", data={"lang": "en", "csrf_token": csrf(client)})
    assert switched.status_code == 303
    assert '<html lang="en">' in text(client.get("/dashboard"))


def csrf(client) -> str:
    page = text(client.get("/dashboard"))
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_client_default_language_wins_over_the_browser(client, login, sandbox):
    sandbox.store.execute("UPDATE users SET lang = NULL WHERE email = 'lena@example.com'")
    login(client, "branded")
    page = text(client.get("/dashboard", headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert '<html lang="de">' in page


def test_learners_of_a_client_without_a_selector_get_none(busy):
    page = text(busy.get("/dashboard"))
    assert 'class="language-form"' not in page
    assert "Northwind Academy" in page and "Lakeside" not in page
    assert '<html lang="en">' in page


def test_branding_and_languages_cost_no_request_on_a_page_that_makes_one(app, busy):
    from flask import request_finished

    from portal import api

    seen = {}

    def record(sender, response, **extra):
        seen.update(api.stats())

    request_finished.connect(record, app)
    try:
        busy.get("/account")  # one page document: one request
    finally:
        request_finished.disconnect(record, app)
    assert seen["requests"] == 1


def test_catalog_shows_only_the_selected_language_when_the_client_says_so(client, login):
    login(client, "branded")
    page = text(client.get("/catalog"))
    assert "Data Protection and GDPR" in page  # taught in German
    assert "SQL from Zero" not in page  # taught in English
    client.post("/language", data={"lang": "en", "csrf_token": csrf(client)})
    found = text(client.get("/catalog?query=Data+Protection"))
    assert '<html lang="en"' in found  # the switch took
    assert "Data Protection and GDPR" not in found
    assert "SQL from Zero" in text(client.get("/catalog?query=SQL"))  # the English list shows


def test_catalog_is_not_filtered_for_other_clients(client, login):
    login(client, "multilingual")
    assert "Data Protection and GDPR" in text(client.get("/catalog?query=Data+Protection"))
    assert "Resilience at Work" in text(client.get("/catalog?query=Resilience"))


def test_verification_notice_on_every_page_until_the_link_is_followed(client, login, sandbox):
    login(client, "branded")
    for path in ("/dashboard", "/account", "/catalog"):
        page = text(client.get(path))
        assert 'id="verify-banner-title"' in page, path
    page = text(client.get("/dashboard"))
    resend = re.search(r'href="([^"]*/verify-email\?email=[^"]+)"', page).group(1)
    assert resend.startswith(sandbox.url)
    asked = requests.post(
        resend.replace("&amp;", "&").split("?")[0], data={"email": "lena@example.com"}
    )
    assert asked.status_code == 200
    link = sandbox.store.scalar(
        "SELECT link FROM outbox WHERE to_email = 'lena@example.com' ORDER BY rowid DESC"
    )
    assert requests.get(link).status_code == 200
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and 'id="dashboard-panel"' in text(dashboard)
    assert 'id="verify-banner-title"' not in text(dashboard)


def test_no_verification_notice_for_verified_learners(busy):
    dashboard = busy.get("/dashboard")
    assert dashboard.status_code == 200 and 'id="dashboard-panel"' in text(dashboard)
    assert 'id="verify-banner-title"' not in text(dashboard)
