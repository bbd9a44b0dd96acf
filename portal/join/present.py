"""What the learner reads about their code and their registration."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from portal.api.cache import instance_data

CODE_MESSAGES = {
    "valid": _l("This code is valid."),
    "used": _l("This code has already been used. Ask whoever gave it to you for a new one."),
    "expired": _l("This code has expired. Ask whoever gave it to you for a new one."),
    "invalid": _l("We do not know this code. Check it and try again."),
}

EMAIL_MESSAGES = {
    "taken": _l(
        "An account with this email address already exists. Sign in, or reset your password "
        "from the sign-in page."
    ),
    "bad": _l("This email address cannot be used. Check it and try again."),
}


def code_message(status: str):
    return CODE_MESSAGES.get(status, CODE_MESSAGES["invalid"])


def refusal_message(field: str, status: str):
    return code_message(status) if field == "code" else EMAIL_MESSAGES.get(status)


def terms_paragraphs() -> list[str]:
    """The instance's terms in full (TermsAndConditions), as paragraphs of plain text."""
    text = (instance_data().get("TermsAndConditions") or {}).get("globalTerms") or ""
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
