"""Bookmark forms: a folder's name (validated, kept on errors) and the CSRF-only actions."""

from __future__ import annotations

from wtforms import HiddenField

from portal.bookmark_folders import FolderForm
from portal.forms import PortalForm

__all__ = ["ActionForm", "FolderForm"]


class ActionForm(PortalForm):
    """Bookmark, remove, move or delete: the item or folder is in the URL or these fields."""

    content_id = HiddenField()
    folder_id = HiddenField()
    confirm = HiddenField()
    next = HiddenField()
    # Where to go back to: made a local path by the view, never sent upstream.
    unchecked = frozenset({"next"})
