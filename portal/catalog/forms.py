"""The catalog's form: buying a course with credits."""

from __future__ import annotations

from portal.forms import PortalForm


class RedeemForm(PortalForm):
    """Only the CSRF token: the course is in the URL."""
