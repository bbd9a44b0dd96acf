"""Helium deployments (`helium deploy`): the signed address a project archive is put to.

HeliumLaunchData hands out a key and this address; the CLI PUTs its archive here, then starts
the deployment with HeliumBatch and polls HeliumDeploymentStatus. The sandbox keeps the
archive's size and SHA-256 only: it deploys nothing, it checks the upload arrived whole.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, jsonify, request, url_for

from .store import now

bp = Blueprint("sandbox_deployments", __name__)
MAX_ARCHIVE = 512 * 1024 * 1024  # a built project with its node_modules trimmed


def signature(key: str) -> str:
    secret = current_app.extensions["sandbox"].api_key.encode()
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def signed_url(key: str) -> str:
    return url_for(
        "sandbox_deployments.upload", key=key, signature=signature(key), _external=True
    )


def _refused(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.put("/helium/uploads/<path:key>")
def upload(key: str):
    store = current_app.extensions["sandbox"].store
    given = request.args.get("signature", "")
    if not hmac.compare_digest(given.encode(), signature(key).encode()):
        return _refused(403, "The signature does not match this upload address.")
    if store.one("SELECT 1 FROM helium_deployments WHERE key = ?", key) is None:
        return _refused(404, "No deployment was started with this key.")
    request.max_content_length = MAX_ARCHIVE
    digest, size = hashlib.sha256(), 0
    while chunk := request.stream.read(64 * 1024):
        digest.update(chunk)
        size += len(chunk)
    if size == 0:
        return _refused(400, "The archive is empty.")
    store.execute(
        "UPDATE helium_deployments SET uploaded_at = ?, size = ?, sha256 = ? WHERE key = ?",
        now(),
        size,
        digest.hexdigest(),
        key,
    )
    return "", 200
