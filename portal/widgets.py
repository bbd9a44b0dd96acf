"""The widget rule: which API failures a widget survives, showing its own error and a retry.

A widget is one part of a page filled by one API call (a list, a leaderboard, a panel). When
the upstream is down, busy, or fails one field, the widget says so in place (templates: the
`widget_error` macro with its retry button) and the rest of the page stands. What no retry can
mend goes on to the error handlers: an expired session (to login), an unknown id (404), a
refusal (403) and a refused argument (400).
"""

from __future__ import annotations

from portal import api
from portal.api.errors import ApiError, RateLimited, Unavailable

SURVIVABLE: tuple[type[ApiError], ...] = (Unavailable, RateLimited)


def survives(error: ApiError) -> bool:
    """True when a widget shows error in place; a plain ApiError is a field that failed."""
    return isinstance(error, SURVIVABLE) or type(error) is ApiError


def attempt(call, /, *args, **kwargs) -> tuple[object, ApiError | None]:
    """`call(*args, **kwargs)` (anything that calls the API) and None; or None and the
    failure, when it is one a widget survives (its `.message` is what the widget shows)."""
    try:
        return call(*args, **kwargs), None
    except ApiError as error:
        if not survives(error):
            raise
        return None, error


def fetch(operation: str, /, **variables) -> tuple[dict, str | None]:
    """The data of a read and None; or, on a failure a widget survives, whatever data came
    with it (the fields that did not fail) and the message for the widget to show."""
    data, error = attempt(api.run, operation, **variables)
    if error is None:
        return data, None
    return error.data or {}, error.message


def fetch_with_batch(
    operation: str, batch_operation: str, variable_sets: list[dict], /, **variables
) -> tuple[dict, list, str | None]:
    """`fetch`, with `batch_operation` once per variable set riding along in the same request
    (`api.run_with_batch`): the data, the batch's values (None where missing) and the message."""
    found, error = attempt(
        api.run_with_batch, operation, batch_operation, variable_sets, **variables
    )
    if error is None:
        return (*found, None)
    return (*api.split_batch(error.data, len(variable_sets)), error.message)
