"""Forms that survive an outage: the same form comes back as typed, with a message at the top.

When the instance is down, too slow or throttling, a form view catches `OUTAGE_ERRORS`, turns
the error into an `Outage` and renders its form again with `render_form(..., outage=outage)`:
503 or 429, `Retry-After` kept, the learner's input still in the fields. Templates show the
message with `{% include "_outage.html" %}` at the top of the form.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import StopValidation

from portal.api.errors import ApiError, RateLimited, Unavailable
from portal.htmx import render

# What a form outlives; every other ApiError kind means something about the input or the
# learner and is handled where it is raised.
OUTAGE_ERRORS: tuple[type[ApiError], ...] = (Unavailable, RateLimited)
UNAVAILABLE_RETRY_SECONDS = 30
RATE_LIMITED_RETRY_SECONDS = 30


# Control characters: NUL and the rest of C0, and DEL. A field of several lines (a text area)
# may hold tabs and line breaks; no field holds the others.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = _l(
    "This field holds invisible control characters. Remove them (retype the text) and send "
    "it again."
)


def control_characters(text, multiline: bool = False) -> bool:
    """Whether text holds characters no field may hold (NUL and the other C0 controls, DEL;
    tab and line breaks are allowed when multiline)."""
    pattern = _CONTROL_IN_LINES if multiline else _CONTROL
    return isinstance(text, str) and pattern.search(text) is not None


def no_control_characters(form, field) -> None:
    """The validator every form of the portal runs on every field (`PortalForm`): what was
    typed, before any filter, holds no control character."""
    multiline = isinstance(field, TextAreaField)
    sent = [*(field.raw_data or []), field.data]
    if any(control_characters(value, multiline) for value in sent):
        raise StopValidation(str(CONTROL_MESSAGE))


def search_text(value, max_length: int, notices: list, too_long: str) -> str:
    """A search from a list's filter form (the query string): one line of at most max_length
    characters, else nothing with a notice (`too_long`, or the control characters')."""
    query = " ".join(str(value or "").split())
    if len(query) > max_length:
        notices.append(too_long)
        return ""
    if control_characters(query):
        notices.append(_("The search held invisible control characters, so it was left out."))
        return ""
    return query


class PortalForm(FlaskForm):
    """Every form of the portal: its fields refuse control characters with a message next to
    them, so none reaches the instance. `unchecked` names hidden fields the portal cleans
    itself and never sends upstream (a return address)."""

    unchecked: frozenset[str] = frozenset()

    def validate(self, extra_validators=None) -> bool:
        checked = (name for name in self._fields if name not in self.unchecked)
        extra = {name: [no_control_characters] for name in checked}
        for name, validators in (extra_validators or {}).items():
            extra[name] = [*extra.get(name, []), *validators]
        return super().validate(extra)


@dataclass(frozen=True)
class Outage:
    """Why a form could not be sent now, as the learner reads it, with the HTTP answer."""

    status: int
    message: str
    retry_after: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def outage_of(error: ApiError) -> Outage:
    """The Outage an `OUTAGE_ERRORS` error stands for."""
    if isinstance(error, RateLimited):
        seconds = error.retry_after
        seconds = RATE_LIMITED_RETRY_SECONDS if seconds is None else max(1, math.ceil(seconds))
        message = ngettext(
            "The learning service is busy. Nothing was sent: what you entered is kept below. "
            "Please send it again in %(num)d second.",
            "The learning service is busy. Nothing was sent: what you entered is kept below. "
            "Please send it again in %(num)d seconds.",
            seconds,
        )
        return Outage(429, message, seconds)
    message = _(
        "The learning service is not reachable right now. What you entered is kept below: "
        "please send it again in a moment."
    )
    return Outage(503, message, UNAVAILABLE_RETRY_SECONDS)


def render_form(
    page_template: str,
    fragment_template: str,
    status: int | None = None,
    outage: Outage | None = None,
    **context,
):
    """`render()` of a page holding a form; during an outage with its status and Retry-After.

    Without a status, the form's usual one: 200 when it is shown, 422 when it was sent and
    comes back (a view that accepts a form answers with a redirect instead)."""
    if status is None:
        status = 422 if request.method == "POST" else 200
    response = render(
        page_template,
        fragment_template,
        status=outage.status if outage else status,
        outage=outage,
        **context,
    )
    if outage:
        response.headers.update(outage.headers)
    return response
