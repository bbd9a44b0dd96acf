"""The sandbox's GraphQL endpoint, POST /helium?apiKey=KEY, answering as TI's does."""

from __future__ import annotations

import hmac
import json
import logging

from ariadne import format_error as ariadne_format_error
from ariadne import graphql_sync
from flask import Blueprint, current_app, jsonify, request
from graphql import GraphQLError, parse
from werkzeug.exceptions import HTTPException

from . import limits
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
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return _errors(
            400, "The request body must be a JSON object with a query string.", "BAD_REQUEST"
        )
    variables = body.get("variables")
    operation_name = body.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        return _errors(400, "variables must be a JSON object.", "BAD_REQUEST")
    if operation_name is not None and not isinstance(operation_name, str):
        return _errors(400, "operationName must be a string.", "BAD_REQUEST")
    try:
        document = parse(body["query"], max_tokens=MAX_TOKENS)
    except GraphQLError as error:
        return _errors(400, error.message, "GRAPHQL_PARSE_FAILED")
    cost = limits.document_cost(document, operation_name)
    # One budget per running sandbox: the app keeps it, so tests never share spending.
    budget = settings.extra.setdefault("budget", limits.PointBudget())
    wait = budget.spend(settings.api_key, cost, settings.points_per_minute)
    if wait is not None:
        return _errors(429, "Rate limit exceeded.", "RATE_LIMITED", {"Retry-After": str(wait)})
    context = Context(store=settings.store, token=request.headers.get("authToken") or None)
    _success, result = graphql_sync(
        schema(),
        {"query": body["query"], "variables": variables, "operationName": operation_name},
        query_document=document,
        context_value=context,
        error_formatter=format_error,
        logger=_ariadne_log,
    )
    if "data" not in result:  # validation failed: nothing ran
        return jsonify(_request_errors(result, "GRAPHQL_VALIDATION_FAILED")), 400
    errors = result.get("errors") or []
    if result["data"] is None and errors and all("path" not in e for e in errors):
        # bad variables or an unknown operation name: refused before any resolver ran
        return jsonify(_request_errors(result, "BAD_USER_INPUT")), 400
    return _answer(result, settings)


def _answer(result: dict, settings):
    """The answer, with demo image URLs moved to the address this sandbox is reached at.

    Demo data is built once and copied to sandboxes on other ports; its /assets/ URLs name the
    address it was built for.
    """
    body = json.dumps(result, ensure_ascii=False)
    built_for = settings.store.get_meta("public_url")
    here = request.host_url.rstrip("/")
    if built_for and built_for != here:
        body = body.replace(json.dumps(built_for + "/assets/")[1:-1], here + "/assets/")
    return current_app.response_class(body, mimetype="application/json")


@bp.errorhandler(413)
def too_large(_error):
    return _errors(413, "The request body is larger than 1 MiB.", "PAYLOAD_TOO_LARGE")
