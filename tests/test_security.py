"""Security headers, cookie flags, URL checks, error pages and an unavailable upstream."""

from __future__ import annotations

import json
import re

import pytest

from portal.urls import local_path, safe_url


def test_pages_carry_a_nonce_csp_without_unsafe_inline(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in (
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "form-action 'self'",
        "default-src 'self'",
    ):
        assert directive in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    script = rf'<script src="/static/vendor/htmx-2\.0\.11\.min\.js\?v=[0-9a-f]+" nonce="{nonce}"'
    assert re.search(script, html)
    again = client.get("/login").headers["Content-Security-Policy"]
    assert nonce not in again


def test_security_headers_on_every_response(client):
    for path in ("/login", "/no-such-page", "/static/css/portal.css"):
        response = client.get(path)
        response.close()
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_lax(client):
    client.get("/login")
    cookie = client.get_cookie("portal_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_session_cookie_is_secure_outside_demo_and_tests(sandbox, portal_config):
    from portal import create_app

    app = create_app(portal_config(sandbox.url, TESTING=False))
    set_cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie


def test_htmx_is_configured_safely_and_sends_csrf_from_body(client):
    html = client.get("/login").get_data(as_text=True)
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", html).group(1))
    assert config["selfRequestsOnly"] is True
    assert config["allowScriptTags"] is False and config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    headers = re.search(r"<body hx-headers='([^']+)'", html).group(1)
    assert json.loads(headers)["X-CSRFToken"]


def test_htmx_post_with_csrf_header_is_accepted(client, login, csrf_token):
    login(client)
    token = csrf_token(client, "/home")
    response = client.post(
        "/language", data={"lang": "fr"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://cdn.example.com/logo.png", "https://cdn.example.com/logo.png"),
        ("http://example.com", "http://example.com"),
        ("/catalog", "/catalog"),
        ("catalog/item", "catalog/item"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("  javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox", None),
        ("https:", None),
        ("/\\evil.example", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_url_keeps_only_http_and_relative_links(value, expected):
    assert safe_url(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/home", "/home"),
        ("/dashboard?tab=archived", "/dashboard?tab=archived"),
        ("//evil.example", None),
        ("https://evil.example", None),
        ("/\\evil.example", None),
        ("/\t/evil.example", None),
        ("home", None),
        ("", None),
        (None, None),
    ],
)
def test_local_path_accepts_only_paths_on_this_site(value, expected):
    assert local_path(value) == expected


def test_unknown_page_gets_the_branded_404(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in html and "Northwind Academy" in html


def test_htmx_error_is_a_fragment(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<html" not in html and "Page not found" in html
    assert "HX-Request" in response.headers["Vary"]


def test_crash_shows_the_500_page_without_traceback(app, client):
    def explode():
        raise RuntimeError("secret internals")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_brand_css_is_served_as_css(client, sandbox):
    response = client.get("/brand.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _set_settings(sandbox, **changes):
    from portal.sandbox.store import dumps, loads

    settings = loads(sandbox.store.scalar("SELECT settings FROM company"), {})
    settings.update(changes)
    sandbox.store.execute("UPDATE company SET settings = ?", dumps(settings))


def test_brand_colours_and_fonts_are_validated_before_use(client, sandbox):
    _set_settings(
        sandbox,
        accentColor="#123456",
        secondaryColor="#abc",
        linkColor="red;}</style><script>alert(1)</script>",
        font="Inter</style>",
        altFont="Source Sans 3",
    )
    html = client.get("/login").get_data(as_text=True)
    assert "--brand-accent: #123456;" in html
    assert "--brand-secondary: #abc;" in html
    assert "alert(1)" not in html and "Inter</style>" not in html
    assert '--brand-alt-font: "Source Sans 3";' in html


def test_navigation_links_from_the_instance_are_filtered(client, sandbox):
    _set_settings(
        sandbox,
        globalNavigationLinks=[
            {"label": "Catalog", "href": "/catalog"},
            {"label": "Evil", "href": "javascript:alert(1)"},
            {"label": "Help", "href": "https://help.example.com"},
        ],
    )
    html = client.get("/login").get_data(as_text=True)
    # The instance's own links lead to the instance, not to a page of the portal.
    assert f'href="{sandbox.url}/catalog"' in html and 'href="https://help.example.com"' in html
    assert "javascript:" not in html and ">Evil<" not in html


@pytest.mark.parametrize("slow", [False, True], ids=["down", "slow"])
def test_upstream_down_or_slow_gives_the_503_page(make_sandbox, portal_config, slow):
    from portal import create_app

    upstream = make_sandbox(latency_ms=1500 if slow else 0)
    if not slow:
        upstream.server.stop()  # nothing listens there any more
    app = create_app(portal_config(upstream.url, TI_READ_TIMEOUT=0.3, TI_CONNECT_TIMEOUT=0.3))
    response = app.test_client().get("/terms")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "The learning service is unavailable" in html
    assert response.headers["Retry-After"]
