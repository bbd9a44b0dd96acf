"""Runs the portal's GraphQL documents against the TI API, each learner's token on their own call.

Every call is one POST to `{TI_BASE_URL}/helium?apiKey={TI_API_KEY}`. The `authToken` header is
passed with that request alone: transports carry no headers and no cookies, and each thread has
its own (gql transports and requests sessions are not thread-safe), so one learner's token can
never reach another learner's call.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import msgspec
import urllib3
from flask import current_app, g, has_app_context, has_request_context, session
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportError,
    TransportProtocolError,
    TransportServerError,
)
from graphql import ExecutionResult

from . import budget, documents
from .errors import (
    KINDS_BY_CODE,
    ApiError,
    BadInput,
    Forbidden,
    NotFound,
    RateLimited,
    Unavailable,
)
from .transport import Answer, PooledHTTPTransport

log = logging.getLogger(__name__)
# urllib3 logs each request line at DEBUG, and the API key is in it (`?apiKey=`).
logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)

DEFAULT_CONNECT_TIMEOUT = 3.05
DEFAULT_READ_TIMEOUT = 10.0
SESSION_TOKEN_KEY = "ti_token"
# Sent with every call, so that the instance's logs can be matched with the portal's.
REQUEST_ID_HEADER = "X-Request-ID"
_STATS = "_ti_api_stats"
_ANSWERS = "_ti_api_answers"


def current_token() -> str | None:
    """The signed-in learner's authToken, kept in the server-side session by the auth code."""
    if not has_request_context():
        return None
    return session.get(SESSION_TOKEN_KEY)


def run(operation: str, /, **variables) -> dict:
    """Run operations/<operation>.graphql as the current learner; the `data` dict."""
    return execute(operation, variables, current_token())


def run_anonymous(operation: str, /, **variables) -> dict:
    """Run a document without any learner's token (instance data, Login)."""
    return execute(operation, variables, None)


def run_as(token: str, operation: str, /, **variables) -> dict:
    """Run a document with an explicit token (right after Login, before the session has it)."""
    return execute(operation, variables, token)


def ping(timeout: float) -> None:
    """One call the instance answers without a learner (Ping), within timeout seconds in all
    and never retried: raises Unavailable when the instance cannot be used right now, and
    BudgetSpent when the portal keeps its points for learners."""
    timeout_pair = (min(timeout, DEFAULT_CONNECT_TIMEOUT), timeout)
    execute("Ping", {}, None, timeout=timeout_pair, background=True)


def run_batch(operation: str, variable_sets: list[dict], /) -> list:
    """Run a one-field query once per variable set, all in ONE request (aliases); the field's
    value for each set, in order, None where that one failed (an unknown id, say). Failures of
    the whole call (expired session, outage) raise as with `run`."""
    if not variable_sets:
        return []
    batch = documents.batched(operation, len(variable_sets))
    try:
        data = execute(batch, _batch_variables(variable_sets), current_token())
    except (NotFound, Forbidden, BadInput) as error:
        if not error.data:
            raise
        data = error.data
    return [data.get(documents.alias(index)) for index in range(len(variable_sets))]


def run_with_batch(
    operation: str, batch_operation: str, variable_sets: list[dict], /, **variables
) -> tuple[dict, list]:
    """`run(operation, **variables)` and `run_batch(batch_operation, variable_sets)` in ONE
    request: the data of the first, and the batch's values in order (None where one failed;
    a failing copy never fails the first)."""
    combined = documents.with_batch(operation, batch_operation, len(variable_sets))
    variables.update(_batch_variables(variable_sets))
    return split_batch(execute(combined, variables, current_token()), len(variable_sets))


def run_merged_as(
    token: str, operations: tuple[str, ...], /, optional: frozenset = frozenset(), **variables
) -> dict:
    """The queries `operations` merged into ONE request (`documents.merged`), as the learner
    of `token`: the data of all of them (root fields in `optional` empty where they failed)."""
    return execute(documents.merged(*operations, optional=optional), variables, token)


def _batch_variables(variable_sets: list[dict]) -> dict:
    """The variables of a batch's aliased copies: `id_0`, `id_1`... for sets of `id`."""
    return {
        f"{name}_{index}": value
        for index, values in enumerate(variable_sets)
        for name, value in values.items()
    }


def split_batch(data: dict | None, count: int) -> tuple[dict, list]:
    """A `run_with_batch` answer (or the partial data of its error) as the first document's
    data and the batch's `count` values."""
    data = dict(data or {})
    return data, [data.pop(documents.alias(index), None) for index in range(count)]


def stats() -> dict:
    """Upstream requests, API points and seconds spent waiting on the API so far in this
    portal request (app context), and the answers read: upstream or, when the budget runs
    low, kept from before (`kept`)."""
    found = g.get(_STATS) if has_app_context() else None
    return dict(found or _new_stats())


def _new_stats() -> dict:
    return {"requests": 0, "points": 0, "seconds": 0.0, "answers": 0, "kept": 0}


def _stats() -> dict:
    found = g.get(_STATS)
    if found is None:
        found = _new_stats()
        setattr(g, _STATS, found)
    return found


def answers_digest(since: int) -> bytes:
    """A digest of this portal request's API answers after the first `since`
    (`stats()["answers"]` before them), as the instance sent them: what a page drawn from
    those answers alone is kept under (`fragments.kept_page`), cheaper than a digest of the
    data read from them."""
    digest = hashlib.sha256()
    for number, body in g.get(_ANSWERS, ()):
        if number > since:
            digest.update(len(body).to_bytes(8, "big"))
            digest.update(body)
    return digest.digest()


def _remember(body: bytes, kept: bool = False) -> None:
    if has_app_context():
        found = _stats()
        found["answers"] += 1
        found["kept"] += int(kept)
        answers = g.get(_ANSWERS)
        if answers is None:
            answers = []
            setattr(g, _ANSWERS, answers)
        answers.append((found["answers"], body))


class _Transports:
    """This thread's transports, one per API endpoint; closed when the thread ends."""

    def __init__(self):
        self.by_url: dict[str, PooledHTTPTransport] = {}

    def get(self, url: str) -> PooledHTTPTransport:
        transport = self.by_url.get(url)
        if transport is None:
            # No headers, cookies or retries here: the token and timeouts go with each call,
            # and whether to retry depends on the operation.
            transport = self.by_url[url] = PooledHTTPTransport(url)
        return transport

    def close(self) -> None:
        for transport in self.by_url.values():
            transport.close()
        self.by_url.clear()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit the modules may be gone already
            pass


_local = threading.local()


def _transport(url: str) -> PooledHTTPTransport:
    transports = getattr(_local, "transports", None)
    if transports is None:
        transports = _local.transports = _Transports()
    return transports.get(url)


def _count(operation: documents.Operation, points: bool, started: float) -> None:
    if not has_app_context():
        return
    found = _stats()
    found["requests"] += 1
    found["seconds"] += time.perf_counter() - started
    if points:
        found["points"] += operation.points


def _headers(token: str | None) -> dict:
    headers = {"authToken": token} if token else {}
    request_id = g.get("request_id") if has_app_context() else None
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


# Called after each call with (operation name, seconds, ApiError kind's name or None): metrics.
_observers: list[Callable[[str, float, str | None], None]] = []


def observe(callback: Callable[[str, float, str | None], None]) -> None:
    """Have callback(operation, seconds, error kind or None) called after every API call."""
    _observers.append(callback)


def execute(
    name: str | documents.Operation,
    variables: dict,
    token: str | None,
    timeout: tuple | None = None,
    background: bool = False,
) -> dict:
    """Send the document `name` (or a built one) with variables and token; the data, or an
    ApiError kind.

    timeout: (connect, read) seconds instead of the configured ones, and no second attempt.
    background: a call no learner waits for (readiness), the first the budget refuses.
    """
    operation = name if isinstance(name, documents.Operation) else documents.get(name)
    started = time.perf_counter()
    try:
        data = _send(operation, variables, token, timeout, background)
    except ApiError as error:
        for callback in _observers:
            callback(operation.name, time.perf_counter() - started, type(error).__name__)
        raise
    for callback in _observers:
        callback(operation.name, time.perf_counter() - started, None)
    return data


def _send(
    operation: documents.Operation,
    variables: dict,
    token: str | None,
    timeout: tuple | None,
    background: bool = False,
) -> dict:
    name = operation.name
    config = current_app.config
    base_url = (config.get("TI_BASE_URL") or "").rstrip("/")
    api_key = config.get("TI_API_KEY") or ""
    if not base_url:
        log.error("TI_BASE_URL is not set: the portal has no TI API to talk to")
        raise Unavailable("The learning service is not configured.")
    retry = timeout is None
    timeout = timeout or (
        float(config.get("TI_CONNECT_TIMEOUT") or DEFAULT_CONNECT_TIMEOUT),
        float(config.get("TI_READ_TIMEOUT") or DEFAULT_READ_TIMEOUT),
    )
    request = operation.request_with(variables or None)
    transport = _transport(base_url + "/helium")
    key = None if operation.is_mutation else budget.answer_key(operation.text, variables, token)
    # Queries are safe to send again when the connection failed; a mutation might have
    # been applied already, so it is never retried.
    attempts = 1 if operation.is_mutation or not retry else 2
    for attempt in range(1, attempts + 1):
        kept = budget.admit(operation.points, key, background)
        if kept is not None:
            return _from_kept(operation, kept)
        answer = Answer()  # its status and headers, once answered
        started = time.perf_counter()
        try:
            result = transport.execute(
                request,
                headers=_headers(token),
                params={"apiKey": api_key},
                timeout=timeout,
                answer=answer,
            )
        except TransportConnectionFailed as error:
            _count(operation, points=False, started=started)
            cause = error.__cause__
            if _timed_out(cause):
                log.warning(
                    "TI API %s timed out after %.2fs (%s)",
                    name,
                    time.perf_counter() - started,
                    type(cause).__name__,
                )
                raise Unavailable("The learning service took too long to answer.") from None
            if attempt < attempts and isinstance(cause, urllib3.exceptions.HTTPError):
                log.info("TI API %s: connection failed, trying once more", name)
                continue
            log.warning("TI API %s: connection failed (%s)", name, type(cause).__name__)
            raise Unavailable("The learning service cannot be reached.") from None
        except TransportServerError as error:
            # An HTTP status >= 400 without a GraphQL answer (an HTML 502 page, say).
            _count(operation, points=True, started=started)
            if (error.code or answer.status) == 429:
                budget.instance_refused(retry_after(answer.headers))
            raise _status_error(name, error.code or answer.status, answer) from None
        except TransportProtocolError:
            _count(operation, points=True, started=started)
            log.warning("TI API %s: the answer is not GraphQL (HTTP %s)", name, answer.status)
            raise Unavailable("The learning service sent an answer we cannot read.") from None
        except TransportError as error:
            _count(operation, points=False, started=started)
            log.warning("TI API %s failed: %s", name, type(error).__name__)
            raise Unavailable("The learning service cannot be reached.") from None
        _count(operation, points=True, started=started)
        _remember(answer.body)
        log.debug("TI API %s answered in %.3fs", name, time.perf_counter() - started)
        if answer.status == 429:
            budget.instance_refused(retry_after(answer.headers))
        data = _data(operation, result, answer)
        if operation.is_mutation and token:
            budget.changed()
        budget.keep(key, answer.body)
        return data
    raise AssertionError("unreachable")  # pragma: no cover


def _from_kept(operation: documents.Operation, body: bytes) -> dict:
    """The data of an answer kept from before (the budget runs low), read as if just sent."""
    _remember(body, kept=True)
    result = msgspec.json.decode(body)
    return _data(
        operation,
        ExecutionResult(data=result.get("data"), errors=result.get("errors")),
        Answer(200, {}, body),
    )


def _timed_out(cause) -> bool:
    # urllib3 files a refused connection (NewConnectionError) under ConnectTimeoutError.
    refused = isinstance(cause, urllib3.exceptions.NewConnectionError)
    return isinstance(cause, urllib3.exceptions.TimeoutError) and not refused


def _data(operation: documents.Operation, result, answer: Answer) -> dict:
    """The data of a GraphQL answer, or the ApiError kind its status or first error stands for
    (errors of the operation's optional fields aside)."""
    name = operation.name
    status = answer.status or 200
    errors = [error for error in result.errors or [] if not _optional(operation, error)]
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    code = (first.get("extensions") or {}).get("code") if errors else None
    if status == 429 or status == 401 or status >= 500:
        raise _status_error(name, status, answer, code)
    if errors:
        message = first.get("message") or "The learning service refused the request."
        kind = KINDS_BY_CODE.get(code) or (BadInput if status == 400 else ApiError)
        if kind is Unavailable:
            log.error("TI API %s refused the portal (%s): check TI_API_KEY", name, code)
        elif kind is BadInput and status == 400:
            # A document the API does not accept is the portal's bug, not the learner's.
            log.error("TI API %s: document rejected: %s", name, message)
        path = first.get("path") or [None]
        raise _make(kind, message, code, result.data, answer, path[0])
    if status >= 400:
        raise _status_error(name, status, answer, code)
    if not isinstance(result.data, dict):
        log.warning("TI API %s: answer without data", name)
        raise Unavailable("The learning service sent an answer we cannot read.")
    return result.data


def _optional(operation: documents.Operation, error) -> bool:
    path = error.get("path") if isinstance(error, dict) else None
    return bool(path) and path[0] in operation.optional_fields


def _status_error(name: str, status, answer: Answer, code: str | None = None) -> ApiError:
    """The error for an HTTP status that says more than any GraphQL error beside it."""
    if status == 429:
        return _make(RateLimited, "Too many requests to the learning service.", code, None, answer)
    if status == 401:
        # The sandbox and TI answer 401 for a missing or wrong API key: configuration, not
        # the learner's session (that is the UNAUTHENTICATED GraphQL error).
        log.error("TI API %s: HTTP 401, the API key was refused: check TI_API_KEY", name)
        return Unavailable("The learning service is not configured correctly.", code)
    if status == 400:
        return BadInput("The learning service could not understand the request.", code)
    log.warning("TI API %s: HTTP %s", name, status)
    return Unavailable("The learning service is unavailable.", code)


def _make(kind, message, code, data, answer: Answer, field: str | None = None) -> ApiError:
    if issubclass(kind, RateLimited):
        seconds = retry_after(answer.headers)
        return kind(message, code, retry_after=seconds, data=data, field=field)
    return kind(message, code, data=data, field=field)


def retry_after(headers) -> int | None:
    """Whole seconds from a Retry-After header (delta-seconds or HTTP date), None without one."""
    value = (headers or {}).get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    if not math.isfinite(seconds):
        return None
    return max(0, math.ceil(seconds))
