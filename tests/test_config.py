"""Settings from the environment."""

from __future__ import annotations

from portal.config import from_env, kept_secret_key


def test_local_defaults_without_redis():
    config = from_env({})
    assert config["SESSION_TYPE"] == "filesystem"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["TI_BASE_URL"] is None and config["PORTAL_DEMO"] is False


def test_redis_url_moves_sessions_and_rate_limits_to_redis():
    config = from_env({"REDIS_URL": "redis://cache:6379/0", "TI_BASE_URL": "https://x.test/"})
    assert config["SESSION_TYPE"] == "redis"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["TI_BASE_URL"] == "https://x.test"


def test_timeouts_and_demo_flag_are_read():
    config = from_env({"TI_CONNECT_TIMEOUT": "1.5", "TI_READ_TIMEOUT": "4", "PORTAL_DEMO": "1"})
    assert (config["TI_CONNECT_TIMEOUT"], config["TI_READ_TIMEOUT"]) == (1.5, 4.0)
    assert config["PORTAL_DEMO"] is True


def test_generated_secret_key_is_kept_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    first = kept_secret_key()
    assert len(first) >= 32 and kept_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_public_url_defaults_to_the_origin_of_the_api(sandbox, portal_config):
    from portal import create_app

    app = create_app(portal_config("https://academy.example.com/api"))
    assert app.config["TI_PUBLIC_URL"] == "https://academy.example.com"
    app = create_app(portal_config(sandbox.url, TI_PUBLIC_URL="https://learn.example.org"))
    assert app.config["TI_PUBLIC_URL"] == "https://learn.example.org"


def test_instance_urls_are_made_absolute_against_the_public_url(app):
    from portal.urls import instance_url

    with app.test_request_context():
        app.config["TI_PUBLIC_URL"] = "https://learn.example.org"
        assert instance_url("/learn/intro") == "https://learn.example.org/learn/intro"
        assert instance_url("https://cdn.example.net/a.png") == "https://cdn.example.net/a.png"
        assert instance_url("javascript:alert(1)") is None
        assert instance_url("data:text/html,x") is None


def test_page_keeping_is_sized_from_the_environment():
    assert from_env({})["PAGE_CACHE_SIZE"] == 256
    assert from_env({"PAGE_CACHE_SIZE": "0"})["PAGE_CACHE_SIZE"] == 0
