"""A stand-in TI instance for load tests: real sandbox answers, recorded once, replayed after a
fixed latency by a small asyncio server that costs next to no CPU.

    record_answers(path)        sandbox + portal: signs in, loads the dashboard, keeps every answer
    recording(instance_url)     a recording proxy in front of any instance (`bench_growth.py`)
    python _upstream.py replay ANSWERS --latency-ms 200
                                serves them on a free loopback port, printing `PORT <n>` first

An answer is found by operation name and variables; any learner's token gets the same answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _live import API_KEY, portal_config

ROOT = Path(__file__).resolve().parents[2]
# The pages the recording visits: every answer the load test needs. The dashboard twice: the
# first render of a session asks for the percents on their own, the next ones along with it.
RECORDED_PAGES = ("/dashboard", "/dashboard", "/readyz", "/healthz")


def answer_key(body: dict) -> str:
    variables = json.dumps(body.get("variables") or {}, sort_keys=True, separators=(",", ":"))
    return f"{body.get('operationName')} {variables}"


def record_answers(path: Path, who: str = "busy") -> dict:
    """Record the sandbox's answers to what the portal asks while `who` signs in and loads the
    dashboard; writes {"answers": {key: [status, body]}, "requests": {operation: body}}."""
    sys.path.insert(0, str(ROOT))
    from portal import create_app
    from portal.sandbox import create_sandbox_app
    from portal.sandbox.demo import DEMO_LOGINS, build_demo
    from portal.sandbox.server import start

    with tempfile.TemporaryDirectory() as tmp:
        sandbox_app = create_sandbox_app(Path(tmp) / "sandbox", api_key=API_KEY)
        build_demo(sandbox_app)
        sandbox = start(sandbox_app)
        try:
            with recording(sandbox.url) as (proxy_url, recorded):
                app = create_app(portal_config(proxy_url, tmp))
                for quiet in ("werkzeug", "portal.requests"):
                    logging.getLogger(quiet).setLevel(logging.WARNING)
                client = app.test_client()
                email, password = DEMO_LOGINS[who]
                client.get("/login")
                signed_in = client.post("/login", data={"email": email, "password": password})
                assert signed_in.status_code in (302, 303), signed_in.status_code
                for page in RECORDED_PAGES:
                    assert client.get(page).status_code == 200, page
                # Signing in again, as a returning learner: the portal knows their id by now
                # and asks for their client's branding along.
                client.post("/logout")
                again = client.post("/login", data={"email": email, "password": password})
                assert again.status_code in (302, 303), again.status_code
        finally:
            sandbox.stop()
            sandbox_app.extensions["sandbox"].store.close()
    path.write_text(json.dumps(recorded))
    return recorded


@contextmanager
def recording(instance_url: str) -> Iterator[tuple[str, dict]]:
    """(url, recording): a proxy on a loopback port in front of the instance at instance_url,
    keeping every answer it forwards as `record_answers` writes them."""
    import requests
    from werkzeug.wrappers import Request, Response

    from portal.sandbox.server import start

    recorded: dict = {"answers": {}, "requests": {}}
    forward = requests.Session()

    @Request.application
    def recorder(request):
        body = request.get_json(silent=True) or {}
        upstream = forward.post(
            instance_url + request.path,
            params=request.args,
            json=body,
            headers={k: v for k, v in request.headers.items() if k.lower() == "authtoken"},
            timeout=60,
        )
        recorded["answers"][answer_key(body)] = [upstream.status_code, upstream.text]
        recorded["requests"][body.get("operationName")] = body
        return Response(upstream.content, upstream.status_code, mimetype="application/json")

    proxy = start(recorder)
    try:
        yield proxy.url, recorded
    finally:
        proxy.stop()
        forward.close()


@contextmanager
def stand_in(answers: Path, latency_ms: float) -> Iterator[str]:
    """The recorded answers replayed after latency_ms by a process of their own: its URL."""
    replay = subprocess.Popen(
        [sys.executable, __file__, "replay", str(answers), "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(replay.stdout.readline().split()[1])
        yield f"http://127.0.0.1:{port}"
    finally:
        replay.terminate()
        replay.wait()


@contextmanager
def replayed_portal(who: str = "busy", **config) -> Iterator[tuple]:
    """(app, client): a portal test client signed in as `who` against `who`'s recorded
    answers, replayed at once by the stand-in instance in a process of its own.

    Its times are the portal's own. Against the live sandbox on the same two CPUs they are
    not quite: the sandbox spends ~20 ms of Python on a DashboardPage, and the portal's next
    milliseconds run slower after it (a stand-in burning 20 ms an answer added 1-2 ms of
    portal CPU to a dashboard). A real instance runs on machines of its own."""
    from portal import create_app
    from portal.sandbox.demo import DEMO_LOGINS

    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp) / "answers.json"
        record_answers(answers, who)
        with stand_in(answers, 0) as url:
            app = create_app(portal_config(url, tmp, **config))
            logging.getLogger("portal.requests").setLevel(logging.WARNING)
            client = app.test_client()
            email, password = DEMO_LOGINS[who]
            signed_in = client.post("/login", data={"email": email, "password": password})
            assert signed_in.status_code in (302, 303), signed_in.status_code
            yield app, client


# -- replay ----------------------------------------------------------------------------------


async def _serve_connection(reader, writer, answers: dict, latency: float) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            headers = {}
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            raw = await reader.readexactly(length) if length else b""
            try:
                found = answers.get(answer_key(json.loads(raw or b"{}")))
            except ValueError:
                found = None
            status, body = found or [
                400,
                json.dumps({"errors": [{"message": "not recorded", "extensions": {}}]}),
            ]
            await asyncio.sleep(latency)
            payload = body.encode()
            reason = {200: "OK", 400: "Bad Request"}.get(status, "Answer")
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def _replay(answers_path: Path, latency_ms: float) -> None:
    answers = json.loads(answers_path.read_text())["answers"]
    latency = latency_ms / 1000

    async def handle(reader, writer):
        await _serve_connection(reader, writer, answers, latency)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    replay = commands.add_parser("replay")
    replay.add_argument("answers", type=Path)
    replay.add_argument("--latency-ms", type=float, default=200)
    record = commands.add_parser("record")
    record.add_argument("answers", type=Path)
    args = parser.parse_args()
    if args.command == "record":
        record_answers(args.answers)
        return
    try:
        asyncio.run(_replay(args.answers, args.latency_ms))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
