"""The TI GraphQL API client: the only package that talks to the TI API (and imports gql).

`run(operation, **variables)` runs `operations/<operation>.graphql` as the signed-in learner and
returns its `data`; failures are `portal.api.errors.ApiError` kinds.
"""

from __future__ import annotations

from . import errors
from .client import (
    answers_digest,
    current_token,
    observe,
    ping,
    run,
    run_anonymous,
    run_as,
    run_batch,
    run_merged_as,
    run_with_batch,
    split_batch,
    stats,
)
from .errors import ApiError

__all__ = [
    "ApiError",
    "answers_digest",
    "current_token",
    "errors",
    "observe",
    "ping",
    "run",
    "run_anonymous",
    "run_as",
    "run_batch",
    "run_merged_as",
    "run_with_batch",
    "split_batch",
    "stats",
]
