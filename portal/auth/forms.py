"""Forms of the login flow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from portal.forms import PortalForm


class LoginForm(PortalForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    # Where to go after signing in: made a local path (or dropped) by the view, never sent on.
    unchecked = frozenset({"next"})
