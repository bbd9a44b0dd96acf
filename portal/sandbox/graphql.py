"""The sandbox's GraphQL endpoint, POST /helium?apiKey=KEY, answering as TI's does."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ariadne import format_error as ariadne_format_error
from ariadne import graphql_sync
from flask import Blueprint, current_app, jsonify, request
from graphql import DocumentNode, GraphQLError, parse
from werkzeug.exceptions import HTTPException

from . import auth, limits
from .resolvers import schema
from .resolvers.common import Context

bp = Blueprint("sandbox_graphql", __name__)
log = logging.getLogger(__name__)
# Ariadne logs every GraphQL error with its traceback; refusals are normal answers, and the
# unexpected ones are logged by format_error, so its logger stays quiet.
_ariadne_log = logging.getLogger(f"{__name__}.ariadne")
_ariadne_log.addHandler(logging.NullHandler())
_ariadne_log.propagate = False

MAX_TOKENS = 20_000  # refuse absurd documents before they reach the validator
MAX_BATCH = 50  # operations in one batched request (Apollo's BatchHttpLink sends 10 at most)
MAX_PERSISTED = 2_000  # persisted queries each running sandbox remembers
SHA256 = re.compile(r"[0-9a-fA-F]{64}")
TOKEN_COOKIE = "authToken"
_setup_lock = threading.Lock()
INTERNAL = "Internal server error."


def _errors(status: int, message: str, code: str, headers: dict | None = None):
    response = jsonify({"errors": [{"message": message, "extensions": {"code": code}}]})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def format_error(error: GraphQLError, debug: bool = False) -> dict:
    """Resolver refusals keep their code; anything unexpected becomes a generic internal error."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if original is not None and not isinstance(original, GraphQLError):
        log.error("GraphQL resolver failed", exc_info=original)
        formatted = {"message": INTERNAL, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        if error.path is not None:
            formatted["path"] = error.path
        return formatted
    formatted = ariadne_format_error(error, debug=False)
    if isinstance(original, GraphQLError) and original.extensions:
        formatted["extensions"] = dict(original.extensions)
    return formatted


def _request_errors(result: dict, code: str) -> dict:
    for error in result.get("errors", []):
        error.setdefault("extensions", {}).setdefault("code", code)
    return result


@bp.route("/helium", methods=["GET", "POST"])
def helium():
    settings = current_app.extensions["sandbox"]
    try:
        return _handle(settings)
    except HTTPException:
        raise
    except Exception:
        log.exception("GraphQL request failed")
        return _errors(200, INTERNAL, "INTERNAL_SERVER_ERROR")


@dataclass
class Refused(Exception):
    """An operation refused before it ran: its HTTP status (when sent alone) and error."""

    status: int
    message: str
    code: str

    def result(self) -> dict:
        return {"errors": [{"message": self.message, "extensions": {"code": self.code}}]}


@dataclass
class Prepared:
    """An operation ready to run: its parsed document and the points it costs."""

    body: dict
    query: str
    document: DocumentNode
    cost: int


def _handle(settings):
    fault = limits.injected_fault(settings.latency_ms, settings.fail_rate)
    if fault is not None:
        return _errors(502, "Bad gateway.", "BAD_GATEWAY")
    given = request.args.get("apiKey", "")
    if not hmac.compare_digest(given.encode(), settings.api_key.encode()):
        return _errors(401, "Invalid or missing API key.", "UNAUTHORIZED")
    if request.method != "POST":
        return _errors(
            405, "Use POST for GraphQL requests.", "METHOD_NOT_ALLOWED", {"Allow": "POST"}
        )
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, UnicodeDecodeError):
        return _errors(400, "The request body is not valid JSON.", "BAD_REQUEST")
    batched = isinstance(body, list)
    if batched:
        # Apollo's BatchHttpLink: an array of operations in, an array of results out.
        if not body or len(body) > MAX_BATCH or not all(isinstance(b, dict) for b in body):
            return _errors(
                400,
                f"A batch must be a JSON array of 1 to {MAX_BATCH} request objects.",
                "BAD_REQUEST",
            )
        operations = body
    else:
        if not isinstance(body, dict):
            return _errors(
                400, "The request body must be a JSON object with a query string.", "BAD_REQUEST"
            )
        operations = [body]
    prepared: list[Prepared | Refused] = []
    for operation in operations:
        try:
            prepared.append(_prepare(settings, operation))
        except Refused as refused:
            prepared.append(refused)
    if not batched and isinstance(prepared[0], Refused):
        refused = prepared[0]
        return _errors(refused.status, refused.message, refused.code)
    # Each operation costs its own points; a batch spends them together or not at all.
    cost = sum(p.cost for p in prepared if isinstance(p, Prepared))
    if cost:
        # One budget per running sandbox: the app keeps it, so tests never share spending.
        budget = settings.extra.setdefault("budget", limits.PointBudget())
        wait = budget.spend(settings.api_key, cost, settings.points_per_minute)
        if wait is not None:
            return _errors(
                429, "Rate limit exceeded.", "RATE_LIMITED", {"Retry-After": str(wait)}
            )
    token, results, cookie = _token(), [], None
    for item in prepared:
        if isinstance(item, Refused):
            results.append((item.status, item.result()))
            continue
        # Each operation of a batch runs on its own, in order, as if sent alone.
        context = Context(store=settings.store, token=token)
        results.append(_run(item, context))
        if context.issued_token is not None or context.logged_out:
            cookie = context
    if batched:
        response = _answer([result for _status, result in results], settings)
    else:
        status, result = results[0]
        response = _answer(result, settings)
        response.status_code = status
    if cookie is not None:
        _set_token_cookie(response, cookie)
    return response


def _token() -> str | None:
    """The learner's token: the authToken header, else the authToken cookie TI sets at Login."""
    return request.headers.get("authToken") or request.cookies.get(TOKEN_COOKIE) or None


def _set_token_cookie(response, context: Context) -> None:
    """As TI does: a successful Login sets the authToken cookie, a Logout clears it."""
    if context.issued_token is not None:
        response.set_cookie(
            TOKEN_COOKIE,
            context.issued_token,
            max_age=int(auth.TOKEN_LIFETIME.total_seconds()),
            httponly=True,
            secure=request.is_secure,
            samesite="Lax",
        )
    elif context.logged_out:
        response.delete_cookie(
            TOKEN_COOKIE, httponly=True, secure=request.is_secure, samesite="Lax"
        )


def _prepare(settings, body: dict) -> Prepared:
    """Check one operation's request object, find its query (persisted or sent) and parse it."""
    query = body.get("query")
    variables = body.get("variables")
    operation_name = body.get("operationName")
    extensions = body.get("extensions")
    if query is not None and not isinstance(query, str):
        raise Refused(400, "query must be a string.", "BAD_REQUEST")
    if variables is not None and not isinstance(variables, dict):
        raise Refused(400, "variables must be a JSON object.", "BAD_REQUEST")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Refused(400, "operationName must be a string.", "BAD_REQUEST")
    if extensions is not None and not isinstance(extensions, dict):
        raise Refused(400, "extensions must be a JSON object.", "BAD_REQUEST")
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is not None:
        query = persisted_queries(settings).resolve(persisted, query)
    if query is None:
        raise Refused(
            400, "The request body must be a JSON object with a query string.", "BAD_REQUEST"
        )
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as error:
        raise Refused(400, error.message, "GRAPHQL_PARSE_FAILED") from None
    return Prepared(body, query, document, limits.document_cost(document, operation_name))


def _run(item: Prepared, context: Context) -> tuple[int, dict]:
    """Run one prepared operation: (the HTTP status it gets when sent alone, its result)."""
    _success, result = graphql_sync(
        schema(),
        {
            "query": item.query,
            "variables": item.body.get("variables"),
            "operationName": item.body.get("operationName"),
        },
        query_document=item.document,
        context_value=context,
        error_formatter=format_error,
        logger=_ariadne_log,
    )
    if "data" not in result:  # validation failed: nothing ran
        return 400, _request_errors(result, "GRAPHQL_VALIDATION_FAILED")
    errors = result.get("errors") or []
    if result["data"] is None and errors and all("path" not in e for e in errors):
        # bad variables or an unknown operation name: refused before any resolver ran
        return 400, _request_errors(result, "BAD_USER_INPUT")
    return 200, result


class PersistedQueries:
    """Apollo's automatic persisted queries: a query's SHA-256 stands for it once it was sent.

    An unknown hash sent alone is answered PersistedQueryNotFound, as Apollo Server and TI
    answer it, so that the client sends the hash again with its query; a hash sent with a query
    must be that query's, and is then remembered (the most recent MAX_PERSISTED of them).
    """

    def __init__(self) -> None:
        self._queries: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, persisted, query: str | None) -> str:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise Refused(400, "Unsupported persisted query version.", "BAD_REQUEST")
        sha = persisted.get("sha256Hash")
        if not isinstance(sha, str) or not SHA256.fullmatch(sha):
            raise Refused(400, "sha256Hash must be 64 hexadecimal digits.", "BAD_REQUEST")
        sha = sha.lower()
        with self._lock:
            if query is None:
                known = self._queries.get(sha)
                if known is None:
                    # 200, as Apollo Server answers it: the client retries with the query.
                    raise Refused(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
                self._queries.move_to_end(sha)
                return known
            if hashlib.sha256(query.encode()).hexdigest() != sha:
                raise Refused(400, "provided sha does not match query", "BAD_REQUEST")
            self._queries[sha] = query
            self._queries.move_to_end(sha)
            while len(self._queries) > MAX_PERSISTED:
                self._queries.popitem(last=False)
            return query


def persisted_queries(settings) -> PersistedQueries:
    """The running sandbox's persisted queries (tests never share them)."""
    with _setup_lock:
        return settings.extra.setdefault("persisted_queries", PersistedQueries())


def _answer(result: dict | list, settings):
    """The answer, with demo image URLs moved to this sandbox's public address.

    Demo data is built once and copied to sandboxes on other ports; its /assets/ URLs name the
    address it was built for. The configured address, never a request's Host header.
    """
    body = json.dumps(result, ensure_ascii=False)
    built_for = settings.store.get_meta("public_url")
    here = settings.public_address()
    if built_for and built_for != here:
        body = body.replace(json.dumps(built_for + "/assets/")[1:-1], here + "/assets/")
    return current_app.response_class(body, mimetype="application/json")


@bp.errorhandler(413)
def too_large(_error):
    return _errors(413, "The request body is larger than 1 MiB.", "PAYLOAD_TOO_LARGE")
