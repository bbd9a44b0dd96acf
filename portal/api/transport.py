"""The HTTP under gql: a GraphQL request POSTed as JSON through a urllib3 connection pool.

gql's RequestsHTTPTransport spent more of a dashboard's time than the rest of the API client:
a requests session merges settings, cookies and hooks on every call, none of which the
portal uses (it sends no cookies and keeps none). This transport does what the portal's
calls need: one keep-alive pool per endpoint, the environment's proxy and CA bundle read
once, per-call headers and timeouts, no redirects, no retries (the client decides), and the
answer's status and headers kept next to the result.
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import msgspec
import urllib3
from gql import GraphQLRequest
from gql.transport import Transport
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportProtocolError,
    TransportServerError,
)
from graphql import ExecutionResult

USER_AGENT = "ti-learner-portal"


@dataclass
class Answer:
    """What the instance answered besides the GraphQL result: its status, headers and body as
    sent (what pages kept for an answer are keyed on: `client.answers_digest`)."""

    status: int | None = None
    headers: dict = field(default_factory=dict)
    body: bytes = b""


def _pool_for(url: str) -> urllib3.PoolManager:
    """A pool for `url`, through the environment's proxy unless NO_PROXY says otherwise."""
    parts = urlsplit(url)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        try:
            import certifi

            bundle = certifi.where()
        except ImportError:  # pragma: no cover - the system's store then
            bundle = None
    options = {"ca_certs": bundle, "retries": False, "maxsize": 4, "block": False}
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return urllib3.ProxyManager(proxy, **options)
    return urllib3.PoolManager(**options)


class PooledHTTPTransport(Transport):
    """POST `{query, operationName, variables}` to `url` and read the JSON answer."""

    def __init__(self, url: str):
        self.url = url
        self.pool = _pool_for(url)

    def execute(
        self,
        request: GraphQLRequest,
        *,
        headers: dict | None = None,
        params: dict | None = None,
        timeout: tuple[float, float],
        answer: Answer | None = None,
    ) -> ExecutionResult:
        """The result of `request`. Raises TransportConnectionFailed (its cause: urllib3's
        timeout or connection error), TransportServerError (a status >= 400 without a GraphQL
        answer) or TransportProtocolError (anything else that is not one). `answer`, when
        given, gets the status and headers."""
        url = f"{self.url}?{urlencode(params)}" if params else self.url
        sent = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": USER_AGENT,
            **(headers or {}),
        }
        body = json.dumps(request.payload, separators=(",", ":")).encode()
        try:
            response = self.pool.request(
                "POST",
                url,
                body=body,
                headers=sent,
                timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as error:
            raise TransportConnectionFailed(str(error)) from error
        if answer is not None:
            answer.status, answer.headers = response.status, response.headers
            answer.body = response.data
        try:
            # msgspec (Flask-Session's serializer) reads a dashboard's answer in under half
            # the time of json.loads; its DecodeError is a ValueError.
            result = msgspec.json.decode(response.data)
        except ValueError:
            result = None
        if not isinstance(result, dict) or ("data" not in result and "errors" not in result):
            if response.status >= 400:
                raise TransportServerError(f"HTTP {response.status}", response.status)
            raise TransportProtocolError("Server did not return a GraphQL result")
        return ExecutionResult(
            data=result.get("data"),
            errors=result.get("errors"),
            extensions=result.get("extensions"),
        )

    def close(self) -> None:
        self.pool.clear()
