"""Runs a WSGI app on a real threaded HTTP server in a background thread (tests, demo)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server


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


def start(app, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start app on host:port (0: any free port) and return once it accepts connections."""
    server = make_server(host, port, app, threaded=True)
    # A short poll interval makes stop() quick: tests start and stop many servers.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"wsgi-{port}",
        daemon=True,
    )
    thread.start()
    return RunningServer(server, thread)
