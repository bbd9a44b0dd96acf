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
