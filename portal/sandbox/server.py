"""Runs a WSGI app on a real threaded HTTP server in a background thread (tests, demo)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# The API key (`/helium?apiKey=...`) and single sign-on tokens (`/access/jwt?jwt=...`) travel in
# the query string: never in an access log line.
_SECRETS = re.compile(r"(?i)([?&](?:apiKey|jwt)=)[^&\s]*")


def redacted(line: str) -> str:
    """A request line with the API key's and a sign-on token's values replaced."""
    return _SECRETS.sub(r"\1[redacted]", line)


class RedactingRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, its access log free of the API key and sign-on tokens."""

    def log_request(self, code="-", size="-") -> None:
        line, path = self.requestline, getattr(self, "path", None)
        self.requestline = redacted(line)
        if path is not None:
            self.path = redacted(path)
        try:
            super().log_request(code, size)
        finally:
            self.requestline = line
            if path is not None:
                self.path = path


@dataclass
class RunningServer:
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(app, host: str, port: int) -> BaseWSGIServer:
    """A threaded server for app whose access log never shows the API key."""
    return make_server(host, port, app, threaded=True, request_handler=RedactingRequestHandler)


def start(app, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start app on host:port (0: any free port) and return once it accepts connections.
    A sandbox started without a public address gets the one it listens on."""
    server = serve(app, host, port)
    # A short poll interval makes stop() quick: tests start and stop many servers.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"wsgi-{port}",
        daemon=True,
    )
    thread.start()
    running = RunningServer(server, thread)
    settings = getattr(app, "extensions", {}).get("sandbox")
    if settings is not None and not settings.public_url:
        settings.public_url = running.url.replace("://0.0.0.0:", "://127.0.0.1:")
    return running
