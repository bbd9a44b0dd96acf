"""The yardstick of bench_throughput: a minimal Flask app making one upstream call per page.

`gunicorn --pythonpath tests/benchmarks _minimal:app`, with BENCH_UPSTREAM (the instance's URL)
and BENCH_REQUEST (a JSON file holding the GraphQL request to send) in the environment.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import requests
from flask import Flask, render_template
from jinja2 import DictLoader

app = Flask(__name__)
UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:9") + "/helium"
API_KEY = os.environ.get("BENCH_API_KEY", "")
REQUEST = json.loads(Path(os.environ["BENCH_REQUEST"]).read_text())
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard</title></head>
<body><main><h1>Dashboard</h1><ul>
{%- for name, value in data.items() %}
<li>{{ name }}: {{ value | length if value is iterable and value is not string else value }}</li>
{%- endfor %}
</ul></main></body></html>"""
# Compiled once, as a real app's template files are (render_template_string compiles on every
# call: ~2.8 ms a page, more than the rest of this app's work).
app.jinja_loader = DictLoader({"dashboard.html": PAGE})
_local = threading.local()


def upstream_data() -> dict:
    """The instance's answer to the dashboard's request, over one connection per thread."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    answer = session.post(UPSTREAM, params={"apiKey": API_KEY}, json=REQUEST, timeout=10)
    return answer.json().get("data") or {}


@app.get("/dashboard")
def dashboard():
    return render_template("dashboard.html", data=upstream_data())


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
