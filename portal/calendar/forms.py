"""The calendar feed's forms: only a CSRF token, and whether a reset was confirmed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField

from portal.forms import PortalForm
from portal.i18n import timezone_names


class FeedForm(PortalForm):
    """Set up the feed, or (with confirm=1) give it a new secret, unless cancelled."""

    confirm = HiddenField()
    cancel = HiddenField()


class TimezoneForm(PortalForm):
    """The time zone dates and times are shown in."""

    timezone = SelectField(_l("Your time zone"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = sorted(timezone_names())
