"""How many redemption and registration codes a learner, and an address, may check a minute:
one limit the join and account areas share (RATELIMIT_CODE_CHECKS), so that codes cannot be
guessed. Each code counts: a list of twenty costs twenty."""

from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal.extensions import limiter

MAX_SEVERAL = 20  # codes in one list
SCOPES = ("code-checks-address", "code-checks-learner")


def split_codes(text: str) -> list[str]:
    """Codes typed one per line, or separated by commas or spaces; each once, in order."""
    parts = (part.strip() for part in re.split(r"[\s,;]+", text or ""))
    return list(dict.fromkeys(part for part in parts if part))


def _limit() -> str:
    return current_app.config["RATELIMIT_CODE_CHECKS"]


def codes_sent() -> int:
    """How many codes this request asks about: each of a list, else the one code."""
    if "codes" in request.form:
        return max(1, min(len(split_codes(request.form["codes"])), MAX_SEVERAL + 1))
    return 1


def _learner() -> str:
    return f"learner:{current_user.get_id()}"


def _anonymous() -> bool:
    return not (current_user and current_user.is_authenticated)


def limited(on_breach, methods=("POST",)):
    """Decorate a view that checks codes: counted per address and, signed in, per learner;
    `on_breach(limit)` answers a refused request (its form again, with when to come back)."""
    shares = ((SCOPES[0], get_remote_address, None), (SCOPES[1], _learner, _anonymous))
    limits = [
        limiter.shared_limit(_limit, scope=scope, key_func=key, cost=codes_sent,
                             methods=list(methods), exempt_when=exempt, on_breach=on_breach)
        for scope, key, exempt in shares
    ]  # fmt: skip

    def decorate(view):
        for limit in limits:
            view = limit(view)
        return view

    return decorate


def is_code_limit(limit) -> bool:
    """Whether a breached Flask-Limiter limit (a RequestLimit) is this one."""
    return any(scope in (limit.request_args or ()) for scope in SCOPES)


def too_many_message(seconds: int) -> str:
    return ngettext(
        "You checked many codes in a short time. Please wait %(num)d second, then try again.",
        "You checked many codes in a short time. Please wait %(num)d seconds, then try again.",
        seconds,
    )
