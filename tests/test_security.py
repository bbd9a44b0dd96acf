"""Security headers, cookie flags, URL checks, error pages and an unavailable upstream."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from portal.config import SITE_FILES
from portal.urls import local_path, safe_url


def style_sources(html: str) -> set[str]:
    """The CSP sources of the page's `<style>` elements: the hashes of their text."""
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in re.findall(r"<style>(.*?)</style>", html, re.S)
    }


def test_pages_allow_their_own_style_by_hash_and_no_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "nonce-" not in csp
    for directive in (
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "form-action 'self'",
        "default-src 'self'",
        "script-src 'self';",
    ):
        assert directive in csp
    html = response.get_data(as_text=True)
    assert "--brand-accent" in html  # the demo instance's colours, in a <style>
    allowed = set(re.search(r"style-src 'self'((?: '[^']+')*);", csp).group(1).split())
    assert allowed == style_sources(html) and len(allowed) == 1
    htmx = r'<script src="/static/vendor/htmx-2\.0\.11\.min\.js\?v=[0-9a-f]+" defer>'
    assert re.search(htmx, html)
    assert "<script>" not in html


def test_security_headers_on_every_response(client):
    for path in ("/login", "/no-such-page", "/static/css/portal.css"):
        response = client.get(path)
        response.close()
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_security_headers_come_once_and_a_view_s_own_are_kept(app, client):
    @app.get("/_framed")
    def framed():
        return "ok", {"x-frame-options": "SAMEORIGIN", "Content-Security-Policy": "sandbox"}

    for path, frame, policy in (("/_framed", "SAMEORIGIN", "sandbox"), ("/login", "DENY", None)):
        headers = client.get(path).headers
        assert headers.getlist("X-Frame-Options") == [frame]
        assert len(headers.getlist("Content-Security-Policy")) == 1
        if policy:
            assert headers["Content-Security-Policy"] == policy
        for name in ("X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"):
            assert len(headers.getlist(name)) == 1, name


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
    login(client, "multilingual")  # whose client lets learners choose their language
    token = csrf_token(client, "/home")
    response = client.post(
        "/language", data={"lang": "de"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
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
        ("//evil.example/x", "https://evil.example/x"),
        ("///evil.example/x", "https://evil.example/x"),
        ("//", None),
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
        ("///evil.example", None),
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


@pytest.mark.parametrize(
    ("accent", "ring"),
    [("#0B6E4F", "#0B6E4F"), ("#F4D35E", None), ("#9CA3AF", None)],
    ids=["dark-accent", "yellow-accent", "grey-accent"],
)
def test_the_focus_ring_takes_the_accent_only_when_it_stands_out(client, sandbox, accent, ring):
    _set_settings(sandbox, accentColor=accent)
    html = client.get("/login").get_data(as_text=True)
    assert f"--brand-accent: {accent};" in html
    if ring:
        assert f"--focus: {ring};" in html
    else:  # too light on some background: the portal's own ring stays
        assert "--focus:" not in html.split("<style>", 1)[1].split("</style>", 1)[0]


def test_the_portals_own_focus_ring_stands_out_on_every_background():
    from portal.branding import RING_BACKGROUNDS, contrast

    css = (SITE_FILES / "static" / "css" / "portal.css").read_text()
    found = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6});", css.split("}", 1)[0]))
    grounds = {found[name] for name in found if name in ("--surface", "--background")}
    grounds |= {value for name, value in found.items() if name.endswith("-bg")}
    assert grounds == set(RING_BACKGROUNDS)  # branding.py checks the accent on the same ones
    assert all(contrast(found["--focus"], ground) >= 3 for ground in grounds)


def test_navigation_links_from_the_instance_are_filtered(client, sandbox):
    _set_settings(
        sandbox,
        globalNavigationLinks=[
            {"label": "Catalog", "href": "/catalog"},
            {"label": "Evil", "href": "javascript:alert(1)"},
            {"label": "Help", "href": "https://help.example.com"},
            {"label": "Elsewhere", "href": "//evil.example/x"},
        ],
    )
    html = client.get("/login").get_data(as_text=True)
    # A scheme-relative link is another host, never a path of the instance.
    assert 'href="https://evil.example/x"' in html
    assert f"{sandbox.url}//evil.example" not in html
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


# -- HSTS, Permissions-Policy, img-src -------------------------------------------------------

HTTPS_VIA_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.3"}


def test_hsts_on_https_from_a_trusted_proxy(client):
    response = client.get("/login", headers=HTTPS_VIA_PROXY)
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts


def test_no_hsts_when_an_untrusted_address_claims_https(client):
    response = client.get(
        "/login", headers=HTTPS_VIA_PROXY, environ_base={"REMOTE_ADDR": "203.0.113.7"}
    )
    assert "Strict-Transport-Security" not in response.headers


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_no_hsts_in_demo_mode_and_subdomains_configurable(sandbox, portal_config):
    from portal import create_app

    demo = create_app(portal_config(sandbox.url, PORTAL_DEMO=True)).test_client()
    assert "Strict-Transport-Security" not in demo.get("/login", headers=HTTPS_VIA_PROXY).headers
    alone = create_app(portal_config(sandbox.url, HSTS_INCLUDE_SUBDOMAINS=False)).test_client()
    hsts = alone.get("/login", headers=HTTPS_VIA_PROXY).headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=") and "includeSubDomains" not in hsts


def test_permissions_policy_on_every_response(app, client, busy_client_factory):
    @app.get("/_crash")
    def crash():
        raise RuntimeError("boom")

    responses = [
        client.get("/login"),
        client.get("/no-such-page"),
        client.get("/static/css/portal.css"),
        client.get("/dashboard"),  # redirect to login
        client.post("/logout"),  # CSRF refusal
        client.get("/_crash"),
        client.get("/brand.css"),
        busy_client_factory().get("/account"),
    ]
    for response in responses:
        response.close()
        policy = response.headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (response.status_code, policy)


@pytest.fixture
def busy_client_factory(app, login):
    def make():
        signed_in = app.test_client()
        assert login(signed_in).status_code == 303
        return signed_in

    return make


def test_csp_img_src_names_the_instance_not_every_https_host(client, sandbox):
    csp = client.get("/login").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    for name in ("img-src", "font-src"):
        sources = directives[name].split()
        assert "https:" not in sources and "http:" not in sources and "*" not in sources
        assert "'self'" in sources and sandbox.url in sources


def test_asset_hosts_are_added_to_img_src(sandbox, portal_config):
    from portal import create_app

    app = create_app(portal_config(sandbox.url, ASSET_HOSTS=("https://cdn.example.com",)))
    csp = app.test_client().get("/login").headers["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]+)", csp).group(1).split()
    assert "https://cdn.example.com" in img_src and sandbox.url in img_src


def test_asset_hosts_setting_is_read_from_the_environment():
    from portal.config import from_env

    config = from_env({"ASSET_HOSTS": "https://a.example.com, https://b.example.com"})
    assert config["ASSET_HOSTS"] == ("https://a.example.com", "https://b.example.com")
    assert from_env({})["TRUSTED_PROXIES"] == "127.0.0.1"
