"""Forms of the account area: switching the active license, checking and redeeming codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.forms import PortalForm

MAX_CODE_LENGTH = 100
CODE_KINDS = ("redemption", "registration")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LicenseForm(PortalForm):
    """One of the learner's allocated licenses; `license_form` fills in the choices."""

    license_id = StringField(
        _l("Active license"), validators=[InputRequired(_l("Choose one of your licenses."))]
    )
    allowed: frozenset = frozenset()

    def validate_license_id(self, field):
        if field.data not in self.allowed:
            raise ValidationError(_l("That license is not one of yours. Choose one from the list."))


def license_form(licenses: list[dict], active_id: str | None, **kwargs) -> LicenseForm:
    form = LicenseForm(**kwargs)
    form.allowed = frozenset(item["id"] for item in licenses)
    if not form.license_id.data:
        form.license_id.data = active_id
    return form


class CodeForm(PortalForm):
    """A redemption or registration code as the learner typed it."""

    kind = RadioField(
        _l("Kind of code"),
        choices=[
            SelectChoice("redemption", _l("Redemption code")),
            SelectChoice("registration", _l("Registration code")),
        ],
        default="redemption",
        validators=[InputRequired(_l("Choose the kind of code."))],
    )
    code = StringField(
        _l("Code"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the code.")),
            Length(
                max=MAX_CODE_LENGTH,
                message=_l("A code has at most %(max)d characters.", max=MAX_CODE_LENGTH),
            ),
        ],
    )


class RedeemForm(CodeForm):
    """The confirm step: the code checked in the step before, sent again as hidden fields."""

    kind = HiddenField(validators=[InputRequired()])
    code = HiddenField(filters=[_strip], validators=[DataRequired(), Length(max=MAX_CODE_LENGTH)])

    def validate_kind(self, field):
        if field.data not in CODE_KINDS:
            raise ValidationError(_l("Choose the kind of code."))


class SeveralCodesForm(PortalForm):
    """Several codes at once, one per line (or separated by commas)."""

    codes = TextAreaField(
        _l("Codes"),
        validators=[
            DataRequired(_l("Enter at least one code.")),
            Length(max=4000, message=_l("That is too much text for a list of codes.")),
        ],
        render_kw={"rows": 4, "autocomplete": "off", "spellcheck": "false"},
    )
