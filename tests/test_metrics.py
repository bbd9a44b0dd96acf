"""/metrics: every family Prometheus needs, counted in every gunicorn worker, readable only from
the addresses allowed (the learner's real address behind the proxy decides), and every metric
the shipped alerts and dashboard use is one the portal exports."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from portal import create_app
from portal.config import from_env
from portal.gunicorn_config import MADE_ENV, MULTIPROC_ENV, metrics_environment
from portal.metrics import allowed_networks, split_bind
from tests.conftest import API_KEY
from tests.processes import stop_process
from tests.test_redis import _free_port, redis_url, store  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "deploy" / "prometheus-rules.yaml"
DASHBOARD = ROOT / "deploy" / "grafana" / "portal-dashboard.json"
PORTAL = Path(sys.executable).parent / "portal"
PROMTOOL = Path(sys.executable).parent / "promtool"
LEARNER = "203.0.113.7"
FAMILIES = {
    "portal_http_requests": "counter",
    "portal_http_request_duration_seconds": "histogram",
    "portal_instance_requests": "counter",
    "portal_instance_request_duration_seconds": "histogram",
    "portal_instance_errors": "counter",
    "portal_cache_lookups": "counter",
    "portal_sign_ins": "counter",
    "portal_signed_in_sessions": "gauge",
    "portal_redis_up": "gauge",
}


def scrape(text: str) -> dict:
    """{family name: family} of Prometheus' text format."""
    return {family.name: family for family in text_string_to_metric_families(text)}


def samples(family, **labels) -> list:
    return [
        sample
        for sample in family.samples
        if all(sample.labels.get(key) == value for key, value in labels.items())
    ]


def value(families: dict, sample_name: str, **labels) -> float:
    family_name = re.sub(r"(_total|_bucket|_count|_sum)$", "", sample_name)
    return sum(
        sample.value
        for sample in samples(families[family_name], **labels)
        if sample.name == sample_name
    )


@pytest.fixture
def shared_app(sandbox, portal_config, redis_url, store):  # noqa: F811 - fixtures
    """The portal with its sessions, limits and cache in a real Redis, as in production."""
    env = from_env({"REDIS_URL": redis_url})
    shared = {key: env[key] for key in ("REDIS_URL", "SESSION_TYPE", "RATELIMIT_STORAGE_URI")}
    return create_app(portal_config(sandbox.url, RATELIMIT_LOGIN="3 per minute", **shared))


def test_an_allowed_address_reads_every_family(shared_app, login, csrf_token):
    client = shared_app.test_client()
    before = scrape(client.get("/metrics").get_data(as_text=True))
    assert login(client, "busy").status_code == 303
    for _ in range(3):  # drawn, then kept (its percents known), then served kept
        assert client.get("/dashboard").status_code == 200
    assert client.get("/no-such-page").status_code == 404
    stranger = shared_app.test_client()
    for _ in range(4):  # three refusals, then the limit
        last = login(stranger, "busy", password="wrong-password")
    assert last.status_code == 429

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    after = scrape(response.get_data(as_text=True))
    for name, kind in FAMILIES.items():
        assert name in after and after[name].type == kind, name

    def grew(sample_name, **labels) -> float:
        return value(after, sample_name, **labels) - value(before, sample_name, **labels) * (
            re.sub(r"(_total|_bucket|_count|_sum)$", "", sample_name) in before
        )

    assert grew("portal_http_requests_total", endpoint="dashboard.index", status="2xx") == 3
    assert grew("portal_http_requests_total", endpoint="unmatched", status="4xx") == 1
    assert grew("portal_http_request_duration_seconds_count", endpoint="dashboard.index") == 3
    # No raw URL ever becomes a label: only route names.
    endpoints = {sample.labels["endpoint"] for sample in after["portal_http_requests"].samples}
    assert not any("/" in endpoint for endpoint in endpoints), endpoints
    assert grew("portal_instance_requests_total", operation="Login") == 4
    assert grew("portal_instance_errors_total", operation="Login", kind="BadCredentials") == 3
    assert grew("portal_instance_request_duration_seconds_count", operation="DashboardPage") >= 1
    assert grew("portal_cache_lookups_total", cache="page", result="hit") >= 1
    assert grew("portal_cache_lookups_total", cache="page", result="miss") >= 1
    assert grew("portal_cache_lookups_total", cache="fragment", result="miss") >= 1
    assert grew("portal_sign_ins_total", result="ok") == 1
    assert grew("portal_sign_ins_total", result="failed") == 3
    assert grew("portal_sign_ins_total", result="rate_limited") == 1
    assert value(after, "portal_signed_in_sessions") == 1
    assert value(after, "portal_redis_up") == 1


def test_redis_down_reads_as_zero_and_no_sessions_family(sandbox, portal_config):
    app = create_app(portal_config(sandbox.url, REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0"))

    families = scrape(app.test_client().get("/metrics").get_data(as_text=True))

    assert value(families, "portal_redis_up") == 0
    assert "portal_signed_in_sessions" not in families


@pytest.mark.parametrize(
    ("peer", "forwarded", "allow", "status"),
    [
        (LEARNER, None, None, 404),  # a learner straight at the portal
        ("127.0.0.1", LEARNER, None, 404),  # a learner through the (trusted) proxy
        ("127.0.0.1", None, None, 200),  # Prometheus on the same host
        ("::1", None, None, 200),
        ("10.2.3.4", None, "10.0.0.0/8", 200),  # Prometheus in the cluster's network
        ("127.0.0.1", "10.2.3.4", "10.0.0.0/8", 200),
        ("127.0.0.1", LEARNER, "10.0.0.0/8", 404),
        (LEARNER, "127.0.0.1", None, 404),  # a learner claiming loopback, not trusted
    ],
)
def test_metrics_answer_only_allowed_addresses(app, peer, forwarded, allow, status):
    if allow:
        app.extensions["metrics"]["allow"] = allowed_networks(allow)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}

    response = app.test_client().get(
        "/metrics", headers=headers, environ_base={"REMOTE_ADDR": peer}
    )

    assert response.status_code == status
    assert ("portal_http_requests" in response.get_data(as_text=True)) == (status == 200)


def test_metrics_on_their_own_bind_are_not_on_the_learners_port(sandbox, portal_config):
    app = create_app(portal_config(sandbox.url, METRICS_BIND="127.0.0.1:9100"))
    assert app.test_client().get("/metrics").status_code == 404


def test_metrics_settings_are_checked():
    assert split_bind("0.0.0.0:9100") == ("0.0.0.0", 9100)
    assert split_bind("[::]:9100") == ("::", 9100)
    for wrong in ("9100", ":9100", "host:port", "127.0.0.1:70000"):
        with pytest.raises(ValueError, match="METRICS_BIND"):
            split_bind(wrong)
    with pytest.raises(ValueError, match="METRICS_ALLOW"):
        create_app({"TESTING": True, "TI_BASE_URL": "http://x", "METRICS_ALLOW": "prometheus"})


def test_serve_empties_a_given_metrics_folder_or_makes_one(tmp_path):
    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"old")
    (given / "keep.txt").write_text("not ours")
    assert metrics_environment({MULTIPROC_ENV: str(given)}) == {}
    assert sorted(path.name for path in given.iterdir()) == ["keep.txt"]

    made = metrics_environment({})
    try:
        assert made[MULTIPROC_ENV] == made[MADE_ENV] and Path(made[MADE_ENV]).is_dir()
    finally:
        shutil.rmtree(made[MADE_ENV])


# -- `portal serve`: two workers, one folder of counts, a bind of its own ---------------------


@pytest.fixture
def served(make_sandbox, redis_url, store, tmp_path):  # noqa: F811 - fixtures
    sandbox = make_sandbox()
    port, metrics_port = _free_port(), _free_port()
    errors = (tmp_path / "errors.log").open("wb")
    env = {
        **{k: v for k, v in os.environ.items() if k not in (MULTIPROC_ENV, MADE_ENV)},
        "TI_BASE_URL": sandbox.url,
        "TI_API_KEY": API_KEY,
        "SECRET_KEY": "metrics-test-secret",
        "REDIS_URL": redis_url,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "METRICS_BIND": f"127.0.0.1:{metrics_port}",
    }
    command = [str(PORTAL), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    # One thread a worker and a short keep-alive: the requests below reach both workers.
    command += ["--threads", "1", "--keep-alive", "0"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    url, metrics_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}/metrics"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=5).raise_for_status()
                requests.get(metrics_url, timeout=5).raise_for_status()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("portal serve did not start: " + errors.name)
                time.sleep(0.1)
        yield process, url, metrics_url
    finally:
        stop_process(process)
        errors.close()


def workers_of(process) -> list[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def healthz_count(metrics_url: str) -> float:
    families = scrape(requests.get(metrics_url, timeout=5).text)
    return value(families, "portal_http_requests_total", endpoint="ops.healthz", status="2xx")


def test_every_worker_is_counted_even_after_it_died(served):
    process, url, metrics_url = served
    made = Path(
        Path(f"/proc/{process.pid}/environ")
        .read_bytes()
        .split(f"{MULTIPROC_ENV}=".encode())[1]
        .split(b"\0")[0]
        .decode()
    )
    start = healthz_count(metrics_url)
    with requests.Session() as learner:
        for _ in range(20):
            learner.get(f"{url}/healthz", timeout=5).raise_for_status()
    assert healthz_count(metrics_url) == start + 20
    assert len({path.name.rsplit("_", 1)[1] for path in made.glob("counter_*.db")}) >= 2, (
        "the counts did not come from both workers"
    )
    # The learners' port never serves them, even to loopback.
    assert requests.get(f"{url}/metrics", timeout=5).status_code == 404

    victim = workers_of(process)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while victim in workers_of(process) or len(workers_of(process)) < 2:
        assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
        time.sleep(0.1)

    assert healthz_count(metrics_url) >= start + 20, "a dead worker's counts were lost"
    process.terminate()
    process.wait(timeout=20)
    assert not made.exists(), "the metrics folder portal serve made was left behind"


# -- The shipped alerts and dashboard use metrics the portal exports ---------------------------

# PromQL words that are not metric names.
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "sum", "min", "max", "avg", "count", "topk", "bottomk", "quantile",
    "stddev", "stdvar", "count_values", "group", "inf", "nan",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects: identifiers outside strings, label matchers,
    grouping lists and ranges, that are neither functions nor keywords."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "{}", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)  # ranges
    expr = re.sub(
        r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", expr
    )  # label lists
    names = set()
    for found in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        name, rest = found.group(), expr[found.end() :].lstrip()
        if name.lower() in KEYWORDS or rest.startswith("("):
            continue
        if re.fullmatch(r"\d+(\.\d+)?[smhdwy]?", name) or (
            found.start() and expr[found.start() - 1].isdigit()
        ):
            continue  # a number's exponent or unit
        names.add(name)
    return names


def shipped_expressions() -> dict[str, str]:
    rules = yaml.safe_load(RULES.read_text())
    found = {
        f"alert {rule['alert']}": rule["expr"]
        for group in rules["groups"]
        for rule in group["rules"]
    }
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            found[f"panel {panel['title']} {target['refId']}"] = target["expr"]
    return found


def test_the_name_reader_finds_metric_names_only():
    expr = (
        'histogram_quantile(0.95, sum by (job, le) (rate(a_bucket{endpoint!~"x|y"}[5m]))) > 1.5'
        " and on (job) b_total offset 5m / ignoring(instance) c unless 1e3"
    )
    assert metric_names(expr) == {"a_bucket", "b_total", "c"}


def test_every_metric_the_alerts_and_dashboard_use_is_exported(shared_app, login, tmp_path):
    client = shared_app.test_client()
    login(client, "busy")
    client.get("/dashboard")
    login(shared_app.test_client(), "busy", password="wrong-password")
    exported = {
        sample.name
        for family in scrape(client.get("/metrics").get_data(as_text=True)).values()
        for sample in family.samples
    }
    expressions = shipped_expressions()
    assert len(expressions) >= 15

    for where, expr in expressions.items():
        used = metric_names(expr)
        assert used, f"{where}: no metric found in {expr!r}"
        assert used <= exported, f"{where} uses {sorted(used - exported)}, not exported"

    # promtool parses the alerts, and the dashboard's queries as recording rules.
    if not PROMTOOL.exists():
        pytest.fail(f"{PROMTOOL} is missing: `make install` puts Debian's promtool there")
    recorded = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query_{number}", "expr": expr}
                    for number, expr in enumerate(expressions.values())
                ],
            }
        ]
    }
    dashboard_rules = tmp_path / "dashboard-rules.yaml"
    dashboard_rules.write_text(yaml.safe_dump(recorded))
    checked = subprocess.run(
        [str(PROMTOOL), "check", "rules", str(RULES), str(dashboard_rules)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_promtool_finds_nothing_to_lint_in_the_metrics(shared_app, login):
    client = shared_app.test_client()
    login(client, "busy")
    client.get("/dashboard")
    text = client.get("/metrics").get_data(as_text=True)
    portal_only = "".join(
        line + "\n" for line in text.splitlines() if re.match(r"(# \w+ )?portal_", line)
    )
    if not PROMTOOL.exists():
        pytest.fail(f"{PROMTOOL} is missing: `make install` puts Debian's promtool there")

    checked = subprocess.run(
        [str(PROMTOOL), "check", "metrics"],
        input=portal_only,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
