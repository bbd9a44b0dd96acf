"""The catalog's form: buying a course with credits."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RedeemForm(FlaskForm):
    """Only the CSRF token: the course is in the URL."""
