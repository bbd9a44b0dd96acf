"""The layout every page shares: branding, learner menu, language, landmarks, terms."""

from __future__ import annotations

import pytest


def test_home_shell_greets_the_learner_by_name(client, login):
    login(client)
    html = client.get("/home").get_data(as_text=True)
    assert "Welcome back, Avery" in html


def test_root_leads_to_login_then_to_the_landing_page(client, login):
    assert client.get("/").headers["Location"].startswith("/login")
    login(client)
    assert client.get("/").headers["Location"] == "/dashboard"


def test_layout_has_skip_link_landmarks_and_company_name(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ("<header", '<main id="main"', "<footer"):
        assert landmark in html
    assert "Northwind Academy" in html
    assert 'href="/terms"' in html


def test_signed_in_header_shows_name_menu_and_logout_form(client, login):
    login(client)
    html = client.get("/home").get_data(as_text=True)
    assert '<details class="user-menu">' in html
    assert "Avery Johnson" in html
    assert 'action="/logout"' in html
    assert '<nav class="main-nav" aria-label="Main">' in html


def test_navigation_lists_only_installed_areas(app, client, login):
    login(client)
    html = client.get("/home").get_data(as_text=True)
    for area, text in (
        ("dashboard", "Dashboard"),
        ("catalog", "Catalog"),
        ("certificates", "Certificates"),
        ("badges", "Badges"),
        ("account", "Account"),
    ):
        installed = f"{area}.index" in app.view_functions
        assert (f">{text}</a>" in html) == installed


def test_company_css_is_linked_and_served(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/brand.css"' in html
    assert ".site-header" in client.get("/brand.css").get_data(as_text=True)


def test_language_switch_changes_the_interface_language(client, csrf_token):
    token = csrf_token(client)
    response = client.post("/language", data={"lang": "fr", "next": "/login", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Se connecter" in html


def test_unknown_language_is_refused(client, csrf_token):
    response = client.post("/language", data={"lang": "xx", "csrf_token": csrf_token(client)})
    assert response.status_code == 400


def test_browser_language_is_used_before_any_choice(client):
    html = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="de">' in html and "Anmelden" in html


def test_learner_profile_language_is_used_after_login(client, login):
    login(client, who="multilingual")
    assert '<html lang="fr">' in client.get("/home").get_data(as_text=True)


def test_instance_labels_win_over_ours(app):
    from portal.i18n import label

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert label("welcome_message", "Welcome") == "Bienvenue à la Northwind Academy"
        assert label("no_such_key", "Sign in") == "Se connecter"


def test_terms_are_escaped_text_in_paragraphs(client, sandbox):
    sandbox.store.execute(
        "UPDATE company SET terms = ?", "First <b>rule</b>.\n\nSecond <script>alert(1)</script>."
    )
    html = client.get("/terms").get_data(as_text=True)
    assert "<p>First &lt;b&gt;rule&lt;/b&gt;.</p>" in html
    assert "<p>Second &lt;script&gt;alert(1)&lt;/script&gt;.</p>" in html


@pytest.mark.parametrize("path", ["/login", "/terms"])
def test_company_name_with_markup_is_text(client, sandbox, path):
    sandbox.store.execute("UPDATE company SET name = ?", '<img src=x onerror="alert(1)">')
    html = client.get(path).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html


def test_learner_name_with_markup_is_text(client, login, sandbox):
    sandbox.store.execute(
        "UPDATE users SET first_name = ? WHERE email = ?",
        "<script>alert(1)</script>",
        "avery@example.com",
    )
    login(client)
    html = client.get("/home").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_templates_see_every_global_create_app_sets(app):
    # Template globals are a flat copy made when a template loads (portal/templating.py):
    # every global must be in place before the first template is loaded.
    names = ("label", "fragment", "csrf_token", "bookmark_of", "bookmark_return_path", "url_for")
    template = app.jinja_env.get_template("base.html")
    assert isinstance(template.globals, dict)
    assert all(name in template.globals for name in names)
    assert all(name in app.jinja_env.globals for name in names)
