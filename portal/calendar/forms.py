"""The calendar feed's forms: only a CSRF token, and whether a reset was confirmed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class FeedForm(FlaskForm):
    """Set up the feed, or (with confirm=1) give it a new secret."""

    confirm = HiddenField()
