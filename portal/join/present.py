"""What the learner reads about their code and their registration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal import code_messages

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
