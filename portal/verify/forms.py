"""The verification links' forms: withdrawing one (a CSRF token and a confirmation)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class WithdrawForm(FlaskForm):
    """Withdraw a link; without confirm=1 the page asks first."""

    confirm = HiddenField()
