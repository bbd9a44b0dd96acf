"""The join page's state: whether joining is open, its limits, and the code handed out in a
link (/join?code=...)."""

from __future__ import annotations

from flask import current_app

MAX_CODE = 100


def code_from(args) -> str:
    return (args.get("code") or "").strip()[:MAX_CODE]


def registration_open() -> bool:
    return bool(current_app.config.get("PORTAL_REGISTRATION"))


def join_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]

