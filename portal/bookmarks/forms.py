"""Bookmark forms: a folder's name (validated, kept on errors) and the CSRF-only actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

MAX_FOLDER_NAME = 100


class FolderForm(FlaskForm):
    name = StringField(
        _l("Folder name"),
        validators=[
            DataRequired(_l("Give the folder a name.")),
            Length(max=MAX_FOLDER_NAME, message=_l("At most 100 characters.")),
        ],
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
    )


class ActionForm(FlaskForm):
    """Bookmark, remove, move or delete: the item or folder is in the URL or these fields."""

    content_id = HiddenField()
    folder_id = HiddenField()
    confirm = HiddenField()
    next = HiddenField()
