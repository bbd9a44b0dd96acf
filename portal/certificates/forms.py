"""The form for adding an external certificate, with the instance's certificate fields."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, DecimalField, StringField, URLField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.forms import PortalForm
from portal.urls import split_url

# Certificate field types a learner can fill in for an external certificate, by input kind.
UPLOAD_TEXT_TYPES = ("courseLabel", "textLabel", "identifier")
UPLOAD_DATE_TYPES = (
    "dateLabel",
    "contentCompletionDate",
    "contentStartDate",
    "expirationDateLabel",
)
UPLOAD_AWARD_TYPES = ("awardLabel",)


def http_url(form, field):
    parts = split_url(field.data)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(_("Enter a web address starting with https:// or http://."))


class UploadForm(PortalForm):
    """The file's address; `upload_form` adds the instance's certificate fields to it."""

    asset = URLField(
        _l("Address (URL) of the certificate file"),
        description=_l("For example https://example.com/my-certificate.pdf"),
        validators=[
            DataRequired(_l("Enter the address of the certificate file.")),
            Length(max=2000),
            http_url,
        ],
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        issued = next(
            (self[n].data for n, f in self.upload_fields if f["type"] == "dateLabel"), None
        )
        for name, spec in self.upload_fields:
            if (
                spec["type"] == "expirationDateLabel"
                and issued
                and self[name].data
                and (self[name].data < issued)
            ):
                self[name].errors = [
                    *self[name].errors,
                    _("The expiry date must be after the issue date."),
                ]
                ok = False
        return ok


def _field_for(spec: dict, required: bool):
    label = spec.get("label") or spec["type"]
    message = _("Fill in “%(label)s”.", label=label)
    need = [DataRequired(message)] if required else [Optional()]
    kind = spec["type"]
    if kind in UPLOAD_DATE_TYPES:
        # InputRequired: a typed but invalid date must say so, not that the date is missing.
        need = [InputRequired(message)] if required else [Optional()]
        return DateField(label, validators=need, description=_l("Date as YYYY-MM-DD"))
    if kind in UPLOAD_AWARD_TYPES:
        return DecimalField(label, places=None, validators=[*need, NumberRange(min=0)])
    return StringField(label, validators=[*need, Length(max=200)])


def upload_form(fields: list | None, **kwargs) -> UploadForm:
    """An upload form with one input per fillable certificate field of the instance.

    The first title-like field and the issue date are required: without them the certificate
    could not be listed or dated.
    """
    specs = [
        f
        for f in fields or []
        if f and f.get("type") in (*UPLOAD_TEXT_TYPES, *UPLOAD_DATE_TYPES, *UPLOAD_AWARD_TYPES)
    ]
    title = next((f for t in ("courseLabel", "textLabel") for f in specs if f["type"] == t), None)

    class Form(UploadForm):
        pass

    names = []
    for spec in specs:
        name = f"field_{len(names)}"
        required = spec is title or spec["type"] == "dateLabel"
        setattr(Form, name, _field_for(spec, required))
        names.append((name, spec))
    form = Form(**kwargs)
    form.upload_fields = names
    return form


def upload_variables(form: UploadForm) -> dict:
    """The `CreateCertificateFromUpload` variables for a valid form."""
    entries = []
    for name, spec in form.upload_fields:
        data = form[name].data
        if data in (None, ""):
            continue
        entry = {"certificateFieldId": spec["id"], "type": spec["type"]}
        if spec["type"] in UPLOAD_DATE_TYPES:
            entry["date"] = data.isoformat()
        elif spec["type"] in UPLOAD_AWARD_TYPES:
            entry["awardAmount"] = float(data)
            if spec.get("awardTypeId"):
                entry["awardTypeId"] = spec["awardTypeId"]
        else:
            entry["value"] = str(data).strip()
        entries.append(entry)
    return {"asset": form.asset.data.strip(), "certificateUploadFields": entries}


class ShareForm(PortalForm):
    """Make a public verification link to the certificate."""

    indexable = BooleanField(
        _l("Let search engines list the verification page"),
        description=_l("Off: the page asks search engines not to index it."),
    )
