"""What the learner reads about their code and their registration."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from portal import code_messages
from portal.api.cache import instance_data

EMAIL_MESSAGES = {
    "taken": _l(
        "An account with this email address already exists. Sign in, or reset your password "
        "from the sign-in page."
    ),
    "bad": _l("This email address cannot be used. Check it and try again."),
}


def code_message(status: str) -> str:
    return code_messages.joining(status)


def refusal_message(field: str, status: str):
    return code_message(status) if field == "code" else EMAIL_MESSAGES.get(status)


def terms_paragraphs() -> list[str]:
    """The instance's terms in full (TermsAndConditions), as paragraphs of plain text."""
    text = (instance_data().get("TermsAndConditions") or {}).get("globalTerms") or ""
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
