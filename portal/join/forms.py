"""Forms of joining: the registration form and the code check it runs as the learner types."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from portal.forms import PortalForm

# What an address needs to be worth sending a mail to; the instance has the last word.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class CodeForm(PortalForm):
    """The code alone: checked as the learner types (htmx) and again on submit."""

    code = StringField(
        _l("Registration code"),
        validators=[
            DataRequired(message=_l("Enter the registration code you were given.")),
            Length(max=100, message=_l("A registration code has at most 100 characters.")),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


def _name_field(label, missing_message, autocomplete: str) -> StringField:
    """A name as the instance keeps it: required, at most 200 characters."""
    return StringField(
        label,
        validators=[
            DataRequired(message=missing_message),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
        render_kw={"autocomplete": autocomplete},
    )


class JoinForm(CodeForm):
    first_name = _name_field(_l("First name"), _l("Enter your first name."), "given-name")
    last_name = _name_field(_l("Last name"), _l("Enter your last name."), "family-name")
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("Use at most 254 characters.")),
            Regexp(EMAIL, message=_l("Enter an email address like name@example.com.")),
        ],
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    )
    accept_terms = BooleanField(
        _l("I accept the terms and conditions"),
        validators=[DataRequired(message=_l("Accept the terms and conditions to join."))],
    )
