"""deploy/kubernetes (with its sandbox overlay) under `podman kube play`: two portal pods, Redis
and the sandbox as the instance; /readyz answers 200 through the Service and a learner signs in
through it, whichever pod answers.

podman 4.3 runs Pods, Deployments, ConfigMaps and PersistentVolumeClaims of the same YAML and
skips the other kinds. So that the same manifests run, this test does what kubectl and the
cluster would do for the rest: it builds the kustomization (resources and merge patches), makes
the Secret a podman secret (kube play 4.3 reads its own copy back wrongly), runs the Redis
StatefulSet as its one pod named after its Service (with its volume claim), keeps container
ports off the host (podman 4.3 publishes each containerPort there), and reaches the Service's
pods as kube-proxy does: by the Service's selector and target port."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from tests.deploy.conftest import ROOT, podman, sign_in_by_hand

OVERLAY = ROOT / "deploy" / "kubernetes" / "sandbox"


def merged(base, patch):
    """A strategic merge patch as kubectl applies it to maps (lists are replaced)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        result = dict(base)
        for key, value in patch.items():
            result[key] = merged(base.get(key), value) if key in base else value
        return result
    return copy.deepcopy(patch)


def build(folder: Path) -> list[dict]:
    """`kustomize build folder` for what the project's kustomizations use."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    documents: list[dict] = []
    for resource in kustomization.get("resources", []):
        path = (folder / resource).resolve()
        if path.is_dir():
            documents += build(path)
        else:
            documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    for patch in kustomization.get("patches", []):
        change = yaml.safe_load((folder / patch["path"]).read_text())
        for index, doc in enumerate(documents):
            same = (doc["kind"], doc["metadata"]["name"]) == (
                change["kind"],
                change["metadata"]["name"],
            )
            if same:
                documents[index] = merged(doc, change)
    return documents


def unpublished(spec: dict) -> dict:
    """A pod spec whose container ports stay inside the pod network: podman 4.3 publishes every
    containerPort on the host (two portal pods would fight over :8000). Probes that name a
    port get its number."""
    spec = copy.deepcopy(spec)
    for container in spec["containers"]:
        numbers = {port["name"]: port["containerPort"] for port in container.pop("ports", [])}
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            for action in ("httpGet", "tcpSocket"):
                found = container.get(probe, {}).get(action)
                if found and found.get("port") in numbers:
                    found["port"] = numbers[found["port"]]
    return spec


def for_podman(documents: list[dict], secrets: list[str]) -> list[dict]:
    """The documents podman 4.3 runs, the Secret made a podman secret, the StatefulSet a pod."""
    played = []
    for doc in copy.deepcopy(documents):
        if doc["kind"] == "Pod":
            doc["spec"] = unpublished(doc["spec"])
        elif doc["kind"] in ("Deployment", "StatefulSet"):
            template = doc["spec"]["template"]
            template["spec"] = unpublished(template["spec"])
        kind, name = doc["kind"], doc["metadata"]["name"]
        if kind == "Secret":
            values = {key: value.encode() for key, value in doc.get("stringData", {}).items()}
            values.update({k: base64.b64decode(v) for k, v in doc.get("data", {}).items()})
            encoded = {key: base64.b64encode(value).decode() for key, value in values.items()}
            subprocess.run(["podman", "secret", "rm", name], capture_output=True)
            podman("secret", "create", name, "-", input_text=json.dumps(encoded))
            secrets.append(name)
        elif kind == "StatefulSet":
            spec = copy.deepcopy(doc["spec"]["template"]["spec"])
            spec.setdefault("volumes", [])
            for claim in doc["spec"].get("volumeClaimTemplates", []):
                claim_name = f"{claim['metadata']['name']}-{name}-{uuid.uuid4().hex[:6]}"
                played.append(
                    {
                        "apiVersion": "v1",
                        "kind": "PersistentVolumeClaim",
                        "metadata": {"name": claim_name},
                        "spec": claim["spec"],
                    }
                )
                spec["volumes"].append(
                    {
                        "name": claim["metadata"]["name"],
                        "persistentVolumeClaim": {"claimName": claim_name},
                    }
                )
            metadata = {
                "name": doc["spec"]["serviceName"],
                "labels": doc["spec"]["template"]["metadata"]["labels"],
            }
            played.append({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
        else:
            played.append(doc)
    return played


def pod_address(pod: str) -> str:
    infra = podman("pod", "inspect", pod, "--format", "{{.InfraContainerID}}").stdout.strip()
    found = json.loads(podman("inspect", infra).stdout)[0]["NetworkSettings"]["Networks"]
    return next(iter(found.values()))["IPAddress"]


def endpoints(documents: list[dict], service: str) -> list[str]:
    """The Service's endpoints: the pods its selector picks, at its target port (by name)."""
    spec = next(
        d for d in documents if d["kind"] == "Service" and d["metadata"]["name"] == service
    )["spec"]
    selector, target = spec["selector"], spec["ports"][0]["targetPort"]
    found = []
    for doc in documents:
        if doc["kind"] != "Deployment":
            continue
        template = doc["spec"]["template"]
        if not selector.items() <= template["metadata"]["labels"].items():
            continue
        ports = {
            p["name"]: p["containerPort"]
            for c in template["spec"]["containers"]
            for p in c["ports"]
        }
        port = ports.get(target, target)
        name = doc["metadata"]["name"]
        for number in range(doc["spec"]["replicas"]):
            found.append(f"http://{pod_address(f'{name}-pod-{number}')}:{port}")
    return found


@pytest.fixture
def cluster(portal_image, demo_image, redis_image, tmp_path):
    documents = build(OVERLAY)
    network = f"portal-kube-{uuid.uuid4().hex[:8]}"
    secrets: list[str] = []
    played = tmp_path / "played.yaml"
    podman("network", "create", network)
    try:
        played.write_text(yaml.safe_dump_all(for_podman(documents, secrets)))
        podman("kube", "play", "--network", network, str(played), timeout=600)
        yield documents
    finally:
        subprocess.run(["podman", "kube", "down", str(played)], capture_output=True, timeout=300)
        for secret in secrets:
            subprocess.run(["podman", "secret", "rm", secret], capture_output=True)
        subprocess.run(["podman", "network", "rm", "--force", network], capture_output=True)
        for doc in yaml.safe_load_all(played.read_text()) if played.exists() else []:
            if doc and doc["kind"] == "PersistentVolumeClaim":
                subprocess.run(
                    ["podman", "volume", "rm", "--force", doc["metadata"]["name"]],
                    capture_output=True,
                )


def test_the_manifests_run_two_portals_with_redis_and_a_learner_signs_in(cluster):
    services = endpoints(cluster, "portal")
    assert len(services) == 2
    with requests.Session() as probe:
        probe.trust_env = False
        deadline = time.monotonic() + 240
        for endpoint in services:
            while True:
                try:
                    ready = probe.get(f"{endpoint}/readyz", timeout=5)
                    if ready.status_code == 200:
                        break
                except requests.RequestException:
                    ready = None
                if time.monotonic() > deadline:
                    logs = podman("logs", "portal-pod-0-portal").stderr[-3000:]
                    pytest.fail(f"{endpoint}/readyz: {ready and ready.text}\n{logs}")
                time.sleep(1)
            print(f"\n{endpoint}/readyz: {ready.status_code} {ready.text.strip()}")
            assert ready.json() == {"status": "ok", "instance": "ok", "redis": "ok"}

    first, second = services
    cookie = sign_in_by_hand(first, second)  # the form from one pod, sent to the other
    for endpoint in services:
        page = requests.get(f"{endpoint}/dashboard", cookies=cookie, timeout=30)
        assert page.status_code == 200 and "Avery" in page.text, endpoint

    # The pods run as the manifests say: a user, on a read-only root.
    shown = podman("exec", "portal-pod-0-portal", "sh", "-c", "id -u; touch /x || true").stdout
    assert shown.split()[0] == "10001"
    checked = subprocess.run(
        ["podman", "exec", "portal-pod-0-portal", "touch", "/x"], capture_output=True, text=True
    )
    assert "Read-only file system" in checked.stderr
