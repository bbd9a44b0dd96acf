"""Bookmark forms: a folder's name (validated, kept on errors) and the CSRF-only actions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from portal.bookmark_folders import FolderForm

__all__ = ["ActionForm", "FolderForm"]


class ActionForm(FlaskForm):
    """Bookmark, remove, move or delete: the item or folder is in the URL or these fields."""

    content_id = HiddenField()
    folder_id = HiddenField()
    confirm = HiddenField()
    next = HiddenField()
