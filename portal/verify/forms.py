"""The verification links' forms: withdrawing one (a CSRF token and a confirmation)."""

from __future__ import annotations

from wtforms import HiddenField

from portal.forms import PortalForm


class WithdrawForm(PortalForm):
    """Withdraw a link; without confirm=1 the page asks first."""

    confirm = HiddenField()
