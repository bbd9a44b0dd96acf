"""Forms that survive an outage: the same form comes back as typed, with a message at the top.

When the instance is down, too slow or throttling, a form view catches `OUTAGE_ERRORS`, turns
the error into an `Outage` and renders its form again with `render_form(..., outage=outage)`:
503 or 429, `Retry-After` kept, the learner's input still in the fields. Templates show the
message with `{% include "_outage.html" %}` at the top of the form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.api.errors import ApiError, RateLimited, Unavailable
from portal.htmx import render

# What a form outlives; every other ApiError kind means something about the input or the
# learner and is handled where it is raised.
OUTAGE_ERRORS: tuple[type[ApiError], ...] = (Unavailable, RateLimited)
UNAVAILABLE_RETRY_SECONDS = 30
RATE_LIMITED_RETRY_SECONDS = 30


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
