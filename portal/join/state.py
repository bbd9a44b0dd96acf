"""The join page's state from its query string: a code handed out in a link (/join?code=...)."""

from __future__ import annotations

MAX_CODE = 100


def code_from(args) -> str:
    return (args.get("code") or "").strip()[:MAX_CODE]
